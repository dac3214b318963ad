from django.urls import path

from credo.journey import views

app_name = "journey"
urlpatterns = [
    path("s/<slug:slug>/journey/", views.journey_home, name="home"),
    path("s/<slug:slug>/journey/start/", views.journey_start, name="start"),
    path("s/<slug:slug>/journey/rate/", views.journey_rate, name="rate"),
    path("s/<slug:slug>/journey/team-view/", views.journey_consensus, name="consensus"),
    path("s/<slug:slug>/journey/c/<str:code>/", views.journey_competency, name="competency"),
    path(
        "s/<slug:slug>/journey/c/<str:code>/evidence/",
        views.journey_evidence_add,
        name="evidence_add",
    ),
    path(
        "s/<slug:slug>/journey/evidence/<int:evidence_id>/file/",
        views.journey_evidence_file,
        name="evidence_file",
    ),
    path(
        "s/<slug:slug>/journey/evidence/<int:evidence_id>/withdraw/",
        views.journey_evidence_withdraw,
        name="evidence_withdraw",
    ),
    path("s/<slug:slug>/journey/actions/", views.journey_actions, name="actions"),
    path(
        "s/<slug:slug>/journey/actions/<int:action_id>/",
        views.journey_action_update,
        name="action_update",
    ),
    path("s/<slug:slug>/journey/history/", views.journey_history, name="history"),
    path(
        "s/<slug:slug>/journey/snapshots/<int:snapshot_id>/",
        views.journey_snapshot,
        name="snapshot",
    ),
    path("s/<slug:slug>/journey/ready/", views.journey_ready, name="ready"),
    path("s/<slug:slug>/journey/framework/", views.journey_framework, name="framework"),
    path("s/<slug:slug>/journey/team/", views.journey_team, name="team"),
    path(
        "s/<slug:slug>/journey/team/<int:member_id>/", views.journey_team_member, name="team_member"
    ),
    path("s/<slug:slug>/journey/report.pdf", views.journey_report, name="report"),
    path("n/<slug:network_slug>/journey/", views.network_journey, name="network"),
    path(
        "n/<slug:network_slug>/journey/s/<slug:school_slug>/",
        views.network_school,
        name="network_school",
    ),
    path(
        "n/<slug:network_slug>/journey/versions/", views.network_versions, name="network_versions"
    ),
    path(
        "n/<slug:network_slug>/journey/versions/<int:framework_id>/",
        views.network_version,
        name="network_version",
    ),
]
