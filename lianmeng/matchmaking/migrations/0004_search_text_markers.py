from django.db import migrations

# Posts indexed before the direction/category markers existed get them appended (services.resource_index
# writes them for new and edited posts). The full-text index follows by trigger (SQLite) or expression
# (PostgreSQL).
SQL = (
    "UPDATE matchmaking_resource SET search_text = search_text || ' mmd' || direction || ' mmc' || category "
    "WHERE search_text NOT LIKE '%% mmd%%'"
)


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0003_request_project")]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
