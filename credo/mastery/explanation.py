"""How a student's level was computed, in the reader's language: the method's name and sentence,
and the arithmetic's steps (`calculations.explain_steps`, which speaks no language) translated,
their numbers written with the language's decimal mark."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext, gettext_noop

METHOD_SENTENCES = {
    "latest": gettext_noop("The most recent assessment is the level."),
    "highest": gettext_noop("The highest assessment is the level."),
    "average": gettext_noop("The level is the average of the assessments."),
    "mode": gettext_noop(
        "The level is the value given most often (a tie goes to the higher value)."
    ),
    "decaying_average": gettext_noop(
        "A decaying average: each new assessment weighs %(p)s%% and the earlier level %(q)s%%."
    ),
    "weighted_average": gettext_noop(
        "A weighted average: the latest assessment weighs %(p)s%%, "
        "the mean of the earlier ones %(q)s%%."
    ),
    "n_mastery": gettext_noop(
        "The mean of the assessments at or above the mastery threshold, once there are at least "
        "%(p)s."
    ),
    "power_law": gettext_noop(
        "A power-law trend fitted through the assessments, read at the latest one."
    ),
}
# The method names as CALCULATION_METHODS spells them, marked for the catalogue: the model's
# labels stay English; the explanation shows them in the reader's language.
METHOD_LABELS = {
    "latest": gettext_noop("Most recent"),
    "highest": gettext_noop("Highest"),
    "average": gettext_noop("Average"),
    "mode": gettext_noop("Most frequent"),
    "decaying_average": gettext_noop("Decaying average"),
    "weighted_average": gettext_noop("Weighted average"),
    "n_mastery": gettext_noop("n times at mastery"),
    "power_law": gettext_noop("Power law (trend)"),
}


def translated_steps(steps) -> list[str]:
    """Return the arithmetic `steps` (`calculations.Step`) in the active language, numbers
    written with its decimal mark (a list of values joined by "; " where that mark is a comma)."""
    from credo.mastery.calculations import render_step

    sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    list_sep = "; " if sep == "," else ", "
    return [
        render_step(step, gettext(step.message), decimal_sep=sep, list_sep=list_sep)
        for step in steps
    ]
