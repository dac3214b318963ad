"""The REST API at /api/ (ninja's own namespace, `rest`) and the token pages of each school.

Not namespaced, so that ninja's namespace sits at the root where it looks for it.
"""

from django.urls import path

from credo.api import docs, views
from credo.api.api import api

urlpatterns = [
    path("api/docs/assets/<str:name>", docs.asset, name="api-docs-asset"),
    path("api/", api.urls),
    path("s/<slug:slug>/api-tokens/", views.tokens, name="api-tokens"),
    path(
        "s/<slug:slug>/api-tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="api-token-revoke",
    ),
]
