"""Speak each signed-in person's own language.

Django's LocaleMiddleware has already chosen from the language cookie or the browser's
Accept-Language; a person who chose a language in Credo (`User.language`) gets that one instead,
on every device. The user row is read anyway, so this adds no query."""

from django.conf import settings
from django.utils import translation

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def person_language(user) -> str | None:
    """Return the language `user` chose, when Credo offers it."""
    language = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
    return language if language in LANGUAGE_CODES else None


class PersonLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = person_language(request.user)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
