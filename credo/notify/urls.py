from django.urls import path

from credo.notify import views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/count/", views.badge, name="badge"),
    path("notifications/settings/", views.preferences, name="settings"),
    path("notifications/read/", views.read_all, name="read_all"),
    path("notifications/<int:notification_id>/read/", views.read_one, name="read"),
]
