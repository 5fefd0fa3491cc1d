"""SQLite: adding the version column remade the table and dropped its full-text triggers; restore them."""

from django.db import migrations

from lianmeng.core.search import search_index_restore_operation


class Migration(migrations.Migration):
    dependencies = [("membership", "0003_versions")]

    operations = [
        search_index_restore_operation("membership_organization"),
    ]
