"""API docs that work offline: Swagger UI from the copy inside django-ninja, served by Credo itself
(ninja would otherwise fetch it from a CDN, since its app is not among the installed ones)."""

import json
from pathlib import Path

import ninja
from django.http import FileResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
SERVED = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}


class OfflineSwagger(Swagger):
    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        self.settings["persistAuthorization"] = False
        return render(
            request, "api/swagger.html", {"api": api, "swagger_settings": json.dumps(self.settings)}
        )


def asset(request, name: str):
    """Serve one of Swagger UI's files from the installed package."""
    if name not in SERVED:
        from credo.api.api import _error

        return _error(request, 404, "not_found", f"No such file: {name}.")
    response = FileResponse((ASSETS / name).open("rb"), content_type=SERVED[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
