from django.urls import path

from credo.growth import views

app_name = "growth"
urlpatterns = [
    path("s/<slug:slug>/growth/", views.index, name="index"),
    path("s/<slug:slug>/growth/staff/", views.staff, name="staff"),
    path("s/<slug:slug>/growth/staff/setup/", views.setup, name="setup"),
    path("s/<slug:slug>/growth/staff/add/", views.add, name="add"),
    path("s/<slug:slug>/growth/staff/journey/", views.journey, name="journey"),
    path("s/<slug:slug>/growth/<int:educator_id>/", views.educator, name="educator"),
    path("s/<slug:slug>/growth/<int:educator_id>/evidence/", views.evidence_add, name="evidence"),
    path("s/<slug:slug>/growth/<int:educator_id>/self/", views.self_assess, name="self_assess"),
    path("s/<slug:slug>/growth/<int:educator_id>/observe/", views.observe, name="observe"),
    path("s/<slug:slug>/growth/<int:educator_id>/plan/", views.plan, name="plan"),
    path("s/<slug:slug>/growth/<int:educator_id>/review/", views.request_review, name="review"),
    path("s/<slug:slug>/growth/<int:educator_id>/issue/", views.issue, name="issue"),
    path("s/<slug:slug>/growth/<int:educator_id>/support/", views.support, name="support"),
    path(
        "s/<slug:slug>/growth/<int:educator_id>/support/<int:support_id>/end/",
        views.support_end,
        name="support_end",
    ),
    path("s/<slug:slug>/growth/<int:educator_id>/peers/", views.peer, name="peer"),
    path(
        "s/<slug:slug>/growth/<int:educator_id>/peers/<int:invitation_id>/close/",
        views.peer_close,
        name="peer_close",
    ),
]
