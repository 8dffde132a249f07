from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("faxing", "0002_sandbox_remote_fax"),
    ]

    operations = [
        migrations.CreateModel(
            name="FaxImageFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(max_length=64, unique=True)),
                ("vault_name", models.CharField(max_length=200)),
                ("pages", models.PositiveIntegerField()),
                ("resolution", models.CharField(max_length=10)),
                ("compression", models.CharField(max_length=10)),
                ("size", models.PositiveIntegerField()),
                ("source_kind", models.CharField(blank=True, max_length=10)),
                ("discouraged", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
