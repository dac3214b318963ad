from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

from credo.core.views import healthz


def static(request, path):
    # Files not collected yet (the development server); `credo serve --production` collects them
    # and WhiteNoise answers before this view is reached.
    return serve_static(request, path, insecure=True)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    re_path(r"^static/(?P<path>.*)$", static),
    path("", include("credo.transcripts.urls")),
    path("", include("credo.credentials.urls")),
    path("", include("credo.journey.urls")),
    path("", include("credo.improve.urls")),
    path("", include("credo.growth.urls")),
    path("", include("credo.interop.urls")),
    path("", include("credo.api.urls")),
    path("", include("credo.notify.urls")),
    path("", include("credo.families.urls")),  # the REST API at /api/ and its token pages
    path("", include("credo.web.urls")),
    # The protocol ends of sign-in through a school's identity provider (credo/sso).
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("accounts/", include("allauth.socialaccount.providers.saml.urls")),
]

if settings.CREDO_ADMIN:
    # Off by default; when on, only superusers verified by their second factor (credo/web/admin.py).
    urlpatterns.insert(0, path("admin/", admin.site.urls))
