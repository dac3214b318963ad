"""Labels other apps keep in English in their models (stored, hashed into published transcripts,
sent by the API) that pages translate when they show them: listed here so the catalogue has them.
Pages translate them with `gettext(label)` at the moment of showing."""

from django.utils.translation import gettext_noop

SHOWN_TRANSLATED = (
    # mastery.models.MasteryStatus
    gettext_noop("Not yet"),
    gettext_noop("Proficient"),
    gettext_noop("Exceeds"),
    # mastery.models.CreditStatus
    gettext_noop("Not started"),
    gettext_noop("In progress"),
    gettext_noop("Requirement met"),
    gettext_noop("Ready for review"),
    gettext_noop("Under review"),
    gettext_noop("Not yet — returned with feedback"),
    gettext_noop("Awarded"),
)
