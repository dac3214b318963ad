from django.urls import path

from credo.improve import views

app_name = "improve"
urlpatterns = [
    path("s/<slug:slug>/improve/", views.equity, name="equity"),
    path("s/<slug:slug>/improve/equity.csv", views.equity_csv, name="equity_csv"),
]
urlpatterns += [
    path("s/<slug:slug>/improve/time/", views.time, name="time"),
    path("s/<slug:slug>/improve/time.csv", views.time_csv, name="time_csv"),
]
urlpatterns += [
    path("s/<slug:slug>/improve/moderation/", views.moderation, name="moderation"),
    path("s/<slug:slug>/improve/moderation/new/", views.moderation_new, name="moderation_new"),
    path(
        "s/<slug:slug>/improve/moderation/<int:session_id>/",
        views.moderation_session,
        name="session",
    ),
    path(
        "s/<slug:slug>/improve/moderation/<int:session_id>/score/",
        views.moderation_score,
        name="session_score",
    ),
    path(
        "s/<slug:slug>/improve/moderation/<int:session_id>/close/",
        views.moderation_close,
        name="session_close",
    ),
    path(
        "s/<slug:slug>/improve/moderation/<int:session_id>/agreement.csv",
        views.moderation_csv,
        name="session_csv",
    ),
]
