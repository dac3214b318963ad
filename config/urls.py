from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path


def static(request, path):
    # The embedded server serves its own static files; a production proxy may take this over.
    return serve_static(request, path, insecure=True)


urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(r"^static/(?P<path>.*)$", static),
    path("", include("credo.transcripts.urls")),
    path("", include("credo.credentials.urls")),
    path("", include("credo.journey.urls")),
    path("", include("credo.interop.urls")),
    path("", include("credo.api.urls")),  # the REST API at /api/ and its token pages
    path("", include("credo.web.urls")),
]
