from django.db import migrations

from lianmeng.core.search import search_index_operation


class Migration(migrations.Migration):
    dependencies = [("membership", "0001_initial")]

    operations = [search_index_operation("membership_organization")]
