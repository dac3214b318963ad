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
