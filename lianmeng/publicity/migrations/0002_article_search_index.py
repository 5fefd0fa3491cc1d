from django.db import migrations

from lianmeng.core.search import search_index_operation


class Migration(migrations.Migration):
    dependencies = [("publicity", "0001_initial")]

    operations = [search_index_operation("publicity_article")]
