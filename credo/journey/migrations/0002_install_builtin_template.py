"""Install the built-in Journeys to Mastery Learning template (idempotent; see credo/journey/install.py)."""

from django.db import migrations
from django.utils import timezone


def install(apps, schema_editor):
    from credo.journey.install import TemplateModels, install_template

    models = TemplateModels(
        framework=apps.get_model("journey", "JourneyFramework"),
        domain=apps.get_model("journey", "JourneyDomain"),
        competency=apps.get_model("journey", "JourneyCompetency"),
        essential=apps.get_model("journey", "DesignEssential"),
        essential_domain=apps.get_model("journey", "EssentialDomain"),
    )
    install_template(models, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("journey", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
