from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_versions")]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["starts_at", "id"], name="act_event_by_date"),
        ),
    ]
