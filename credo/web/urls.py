from django.contrib.auth import views as auth_views
from django.urls import include, path

from credo.sso import views as sso_views
from credo.web.views import (
    accounts,
    advising,
    audit,
    evidence,
    home,
    manage,
    reviews,
    signin,
    students,
    teaching,
    twofactor,
    worklists,
)

app_name = "web"

school_patterns = [
    path("", home.school_home, name="school"),
    # teaching
    path("sections/", teaching.sections, name="sections"),
    path("sections/<int:section_id>/", teaching.section_detail, name="section"),
    path(
        "sections/<int:section_id>/cells/<int:student_id>/<int:competency_id>/",
        teaching.cell,
        name="cell",
    ),
    path(
        "sections/<int:section_id>/assessments/<int:assessment_id>/correct/",
        teaching.correct,
        name="correct",
    ),
    path("sections/<int:section_id>/class/", teaching.class_task, name="class_task"),
    path("sections/<int:section_id>/differentiate/", teaching.differentiate, name="differentiate"),
    path("sections/<int:section_id>/habits/", teaching.habits, name="habits"),
    path("sections/<int:section_id>/not-progressing/", teaching.support, name="support"),
    # students
    path("students/<int:student_id>/", students.student_dashboard, name="student"),
    path(
        "students/<int:student_id>/competencies/<int:competency_id>/how/",
        students.competency_how,
        name="competency_how",
    ),
    path(
        "students/<int:student_id>/competencies/<int:competency_id>/judgment/",
        students.judgment,
        name="judgment",
    ),
    path("students/<int:student_id>/evidence/", evidence.evidence_list, name="evidence_list"),
    path("students/<int:student_id>/evidence/new/", evidence.evidence_new, name="evidence_new"),
    path("students/<int:student_id>/peers/", evidence.peer_work, name="peer_work"),
    path(
        "students/<int:student_id>/credits/<int:credit_id>/review/",
        students.review_request,
        name="review_request",
    ),
    path("students/<int:student_id>/story/", students.story, name="story"),
    path(
        "students/<int:student_id>/credits/<int:credit_id>/revoke/",
        students.award_revoke,
        name="award_revoke",
    ),
    path("students/<int:student_id>/story/approve/", students.story_approve, name="story_approve"),
    # advising
    path("advisees/", advising.advisees, name="advisees"),
    # reviews
    path("to-assess/", worklists.to_assess, name="to_assess"),
    path("approvals/", worklists.approvals, name="approvals"),
    path("reviews/awaiting-panel/", worklists.panels, name="panels"),
    path("reviews/", reviews.queue, name="reviews"),
    path("reviews/<int:review_id>/", reviews.detail, name="review"),
    path("reviews/<int:review_id>/schedule/", reviews.schedule, name="review_schedule"),
    path("reviews/<int:review_id>/invite/", reviews.invite, name="review_invite"),
    path("reviews/<int:review_id>/decide/", reviews.decide, name="review_decide"),
    # the school's setup
    path("manage/sign-in/", include(sso_views.manage_patterns)),
    path("manage/audit/", include(audit.urlpatterns)),
    path("manage/", include(manage.urlpatterns)),
]

urlpatterns = [
    path("", home.landing, name="landing"),
    path("accounts/login/", signin.SignInView.as_view(), name="login"),
    path("accounts/login/code/", signin.signin_verify, name="signin_verify"),
    path("accounts/two-factor/", twofactor.two_factor, name="two_factor"),
    path("accounts/two-factor/set-up/", twofactor.two_factor_setup, name="two_factor_setup"),
    path(
        "accounts/two-factor/recovery-codes/",
        twofactor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/two-factor/turn-off/", twofactor.two_factor_turn_off, name="two_factor_off"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/forgotten/", accounts.forgot_password, name="forgot_password"),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        accounts.SetPasswordView.as_view(),
        name="set_password",
    ),
    path("home/", home.home, name="home"),
    path("s/<slug:slug>/", include(school_patterns)),
    path("evidence/<int:evidence_id>/", evidence.evidence_detail, name="evidence"),
    path("evidence/<int:evidence_id>/file/", evidence.evidence_file, name="evidence_file"),
    path("evidence/<int:evidence_id>/sharing/", evidence.evidence_sharing, name="evidence_sharing"),
    path("evidence/<int:evidence_id>/approve/", evidence.evidence_approve, name="evidence_approve"),
    path("review-invitation/<str:token>/", reviews.guest_review, name="guest_review"),
    path(
        "review-invitation/<str:token>/evidence/<int:evidence_id>/",
        reviews.guest_evidence_file,
        name="guest_evidence_file",
    ),
]
