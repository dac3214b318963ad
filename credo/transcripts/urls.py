from django.urls import path

from credo.transcripts import views

app_name = "transcripts"
S = "s/<slug:slug>/transcripts/"
V = S + "versions/<uuid:public_id>/"
urlpatterns = [
    path(S, views.home, name="home"),
    path(S + "settings/", views.settings_page, name="settings"),
    path(S + "runs/<int:run_id>/", views.run_detail, name="run"),
    path(S + "runs/<int:run_id>/retry/", views.run_retry, name="run_retry"),
    path(S + "students/<int:student_id>/", views.student_transcript, name="student"),
    path(S + "students/<int:student_id>/preview/", views.preview, name="preview"),
    path(S + "students/<int:student_id>/grades/", views.grade_report, name="grade_report"),
    path(S + "students/<int:student_id>/letters/", views.student_letters, name="letters"),
    path(S + "letters/<uuid:letter_id>/", views.letter_page, name="letter"),
    path(S + "letters/<uuid:letter_id>/pdf/", views.letter_pdf, name="letter_pdf"),
    path(S + "settings/letters/", views.letters_family, name="letters_family"),
    path(V, views.version_page, name="version"),
    path(V + "pdf/", views.version_pdf, name="version_pdf"),
    path(V + "json/", views.version_json, name="version_json"),
    path(V + "evidence/<str:key>/", views.version_evidence, name="version_evidence"),
    path(V + "evidence/<str:key>/file/", views.version_evidence_file, name="version_evidence_file"),
    path("t/<str:token>/", views.shared, name="shared"),
    path("t/<str:token>/pdf/", views.shared_pdf, name="shared_pdf"),
    path("t/<str:token>/evidence/<str:key>/", views.shared_evidence, name="shared_evidence"),
    path(
        "t/<str:token>/evidence/<str:key>/file/",
        views.shared_evidence_file,
        name="shared_evidence_file",
    ),
    path("v/<uuid:public_id>/", views.verify, name="verify"),
]
