from django.urls import path

from credo.families import views

app_name = "families"
urlpatterns = [
    path("language/", views.language, name="language"),
    path("s/<slug:slug>/students/<int:student_id>/family-report/", views.report, name="report"),
    path(
        "s/<slug:slug>/students/<int:student_id>/family-report.pdf",
        views.report_pdf_view,
        name="report_pdf",
    ),
    path(
        "s/<slug:slug>/transcripts/versions/<uuid:public_id>/reading-copy/",
        views.reading_copy,
        name="reading_copy",
    ),
    path("s/<slug:slug>/manage/family-reports/", views.send, name="send"),
    path("s/<slug:slug>/manage/translations/", views.translations, name="translations"),
    path(
        "s/<slug:slug>/manage/translations/scales/<int:scale_id>/",
        views.scale_translation,
        name="scale_translation",
    ),
    path(
        "s/<slug:slug>/manage/translations/credits/<int:credit_id>/",
        views.credit_translation,
        name="credit_translation",
    ),
]
