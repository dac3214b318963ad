from django.urls import path

from credo.credentials import views

app_name = "credentials"
ISSUER = "issuers/<slug:slug>"  # the issuer URL prefixes everything the school defines
urlpatterns = [
    path(ISSUER, views.issuer, name="issuer"),
    path(ISSUER + "/achievements/<path:code>", views.achievement, name="achievement"),
    path(ISSUER + "/areas/<path:code>", views.area, name="area"),
    path(ISSUER + "/competencies/<int:pk>", views.competency, name="competency"),
    path("verify/", views.verify, name="verify"),
    path("credentials/shared/<str:token>/clr/", views.shared_clr, name="shared_clr"),
    path("s/<slug:slug>/credentials/", views.school_credentials, name="school"),
    path(
        "s/<slug:slug>/credentials/versions/<uuid:public_id>/clr/",
        views.version_clr,
        name="version_clr",
    ),
    path("s/<slug:slug>/credentials/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
]
