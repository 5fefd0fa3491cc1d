from django.db import migrations

from lianmeng.core.search import search_index_restore_operation

# The organizations' SQLite full-text index also holds each distinct Chinese character of a row, so a
# one-character search (青) is an index lookup instead of a LIKE scan of every row (core.search,
# CHARACTER_INDEXED_TABLES). Re-creating the index fills it from the stored search_text; PostgreSQL is
# unchanged (one-character terms stay LIKE there).


class Migration(migrations.Migration):
    dependencies = [("membership", "0006_organization_newest_index")]

    operations = [search_index_restore_operation("membership_organization")]
