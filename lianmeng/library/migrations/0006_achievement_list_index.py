from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "0005_consultation_list_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="achievement",
            index=models.Index(fields=["visibility", "-year", "name_sort", "id"], name="lib_ach_list"),
        ),
    ]
