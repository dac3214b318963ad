"""The demo's families: one guardian per school who reads Credo in Spanish and asked for progress
reports (with an earlier report on record, so "since the last report" means something), and every
demo scale's levels given in Spanish. Called once by the demo loader, after everything else."""

from __future__ import annotations

import datetime as dt

from credo.accounts.models import GuardianLink, User
from credo.families.models import FamilyReport, LevelText
from credo.frameworks.models import ScaleLevel

#: The demo guardian who reads Credo in Spanish, in each school.
SPANISH_GUARDIAN = "guardian1"
#: How long before the demo's last day that guardian's previous report went out.
LAST_REPORT_DAYS = 42

# (label, description) by the school's own label; the school's words stay the official ones.
LEVELS_ES = {
    "Not yet shown": (
        "Aún no demostrado",
        "Todavía no hay evidencia del objetivo, o el trabajo no lo aborda.",
    ),
    "Emerging": ("Emergente", "Muestra partes del objetivo con bastante apoyo."),
    "Developing": (
        "En desarrollo",
        "Muestra la mayor parte del objetivo; faltan piezas clave o aún no son firmes.",
    ),
    "Meets": ("Lo cumple", "Muestra el objetivo completo, por su cuenta y con precisión."),
    "Extends": (
        "Lo amplía",
        "Va más allá del objetivo: lo lleva a situaciones nuevas o lo enseña a otros.",
    ),
    "Rarely": ("Rara vez", "Se ve pocas veces, incluso con recordatorios."),
    "Sometimes": ("A veces", "Aparece en situaciones conocidas o con recordatorios."),
    "Usually": ("Normalmente", "Es un hábito en la mayoría de las situaciones."),
    "Consistently": ("Siempre", "Es constante, incluso bajo presión, y sirve de ejemplo a otros."),
    "Exploring": ("Explorando", "Empieza a probar la habilidad, sobre todo con orientación."),
    "Building": ("Construyendo", "Usa la habilidad en situaciones conocidas con algo de apoyo."),
    "Demonstrating": ("Demostrando", "Usa la habilidad por su cuenta y sabe explicar cómo."),
    "Distinguished": (
        "Destacado",
        "Usa la habilidad en situaciones nuevas y complejas y ayuda a otros a crecer en ella.",
    ),
    "Not yet": ("Todavía no", "El hábito aún no se ve."),
    "Beginning": ("Inicial", "Muestra los conocimientos básicos con ayuda."),
    "Proficient": ("Competente", "Alcanza el objetivo por su cuenta y de forma constante."),
    "Extending": ("Ampliando", "Aplica el objetivo en situaciones nuevas o más complejas."),
}


def demo_families(schools, *, today: dt.date) -> int:
    """Give the demo schools' families what the families feature shows; return the guardians set
    to Spanish."""
    from credo.notify.models import Delivery, Kind, Preference

    texts = [
        LevelText(
            school_id=level.school_id,
            level=level,
            language="es",
            label=LEVELS_ES[level.label][0],
            description=LEVELS_ES[level.label][1],
        )
        for level in ScaleLevel.objects.filter(school__in=schools)
        if level.label in LEVELS_ES
    ]
    LevelText.objects.bulk_create(texts)
    count = 0
    for school in schools:
        guardian = User.objects.filter(username=f"{SPANISH_GUARDIAN}@{school.slug}").first()
        if guardian is None:
            continue
        User.objects.filter(pk=guardian.pk).update(language="es")
        Preference.objects.update_or_create(
            user=guardian, kind=Kind.FAMILY_REPORT, defaults={"delivery": Delivery.IMMEDIATE}
        )
        earlier = today - dt.timedelta(days=LAST_REPORT_DAYS)
        FamilyReport.objects.bulk_create(
            FamilyReport(
                school=school,
                student_id=link.student_id,
                recipient=guardian,
                language="es",
                as_of=earlier,
                emailed=bool(guardian.email),
            )
            for link in GuardianLink.objects.filter(school=school, guardian=guardian)
        )
        count += 1
    return count
