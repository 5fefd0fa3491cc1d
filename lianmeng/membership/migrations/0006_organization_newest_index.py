from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("membership", "0005_application_requested_tier")]

    operations = [
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["status", "-joined_on", "-id"], name="mem_org_newest"),
        ),
    ]
