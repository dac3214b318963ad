from django.urls import path

from credo.interop import views

app_name = "interop"
urlpatterns = [
    path("s/<slug:slug>/imports/", views.imports, name="imports"),
    path("s/<slug:slug>/imports/<int:run_id>/", views.run_detail, name="run"),
    path("s/<slug:slug>/imports/<int:run_id>/confirm/", views.run_confirm, name="confirm"),
    path("s/<slug:slug>/imports/<int:run_id>/retry/", views.run_retry, name="retry"),
    path("s/<slug:slug>/exports/<str:kind>/", views.export, name="export"),
]
