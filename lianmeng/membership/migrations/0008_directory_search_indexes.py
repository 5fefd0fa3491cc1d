from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("membership", "0007_organization_character_index")]

    operations = [
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["status"], name="mem_org_status"),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["city", "kind", "status", "name_sort"], name="mem_org_city_kind"),
        ),
    ]
