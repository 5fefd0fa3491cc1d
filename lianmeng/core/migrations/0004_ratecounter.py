# Counters shared by every app process: sign-in lock-out and API rate limits (lianmeng.core.counters).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                (
                    "key",
                    models.CharField(max_length=120, primary_key=True, serialize=False, verbose_name="键"),
                ),
                ("count", models.BigIntegerField(default=0, verbose_name="计数")),
                ("expires", models.FloatField(db_index=True, verbose_name="到期时间")),
            ],
            options={
                "verbose_name": "限流计数器",
                "verbose_name_plural": "限流计数器",
            },
        ),
    ]
