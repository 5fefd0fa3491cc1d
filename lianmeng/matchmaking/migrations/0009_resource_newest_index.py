from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0008_search_index_after_versions")]

    operations = [
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(fields=["-created_at", "-id"], name="mm_res_newest"),
        ),
    ]
