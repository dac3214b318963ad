"""Create the named account that commands and background work act as (it never signs in)."""

from django.db import migrations

SYSTEM_USERNAME = "credo-system"


def create(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "display_name": "Credo (system)",
            "is_active": False,
            "is_superuser": True,
            "password": "!",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_review_coordinator_role")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
