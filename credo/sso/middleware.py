"""Around allauth's protocol views (/accounts/oidc/…, /accounts/saml/…).

- python3-saml reads the Host header straight from the request; an HTTP/1.0 client may send none,
  so it is given the host Django already validated.
- A provider that does not answer (its discovery document, keys or metadata unreachable or
  unreadable) is a page saying so (502), never an error page of Credo's.
"""

import logging

from django.shortcuts import render
from onelogin.saml2.errors import OneLogin_Saml2_Error
from requests import RequestException

logger = logging.getLogger(__name__)
PREFIXES = ("/accounts/oidc/", "/accounts/saml/")


class SsoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_HOST" not in request.META and request.path.startswith(PREFIXES):
            request.META["HTTP_HOST"] = request.get_host()
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith(PREFIXES):
            return None
        if not isinstance(
            exception, RequestException | OneLogin_Saml2_Error | OSError | ValueError
        ):
            return None
        logger.warning("identity provider unreachable or unreadable: %r", exception)
        return render(
            request,
            "sso/refused.html",
            {
                "reason": "Your school's sign-in service did not answer Credo as expected, so "
                "Credo could not send you there. Try again in a few minutes; if it keeps "
                "happening, tell the school office."
            },
            status=502,
        )
