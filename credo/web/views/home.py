"""Landing, sign-in and each role's home page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from credo.accounts.access import user_schools
from credo.accounts.models import GuardianLink, Membership, Role, Student
from credo.mastery import selectors as mastery
from credo.schools.models import School
from credo.schools.selectors import sections_taught
from credo.web.views.common import page, school_page

DEMO_PASSWORD = "credo-demo"  # noqa: S105 -- printed by `credo demo`; demo data only
DEMO_ROLE_ORDER = [
    Role.ADMIN,
    Role.REGISTRAR,
    Role.TEACHER,
    Role.ADVISOR,
    Role.STUDENT,
    Role.GUARDIAN,
    Role.REVIEWER,
]


def demo_accounts() -> list[dict]:
    """Return a few sign-in accounts per role and school for the demo landing page."""
    rows = []
    for school in School.objects.order_by("name"):
        accounts = []
        for role in DEMO_ROLE_ORDER:
            limit = 2 if role in (Role.TEACHER, Role.STUDENT) else 1
            for m in (
                Membership.objects.filter(school=school, role=role)
                .select_related("user")
                .order_by("user_id")[:limit]
            ):
                accounts.append(
                    {"role": m.get_role_display(), "username": m.user.username, "name": str(m.user)}
                )
        rows.append({"school": school, "accounts": accounts})
    return rows


def landing(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    context = {}
    if settings.CREDO_DEMO:
        context = {"demo": demo_accounts(), "demo_password": DEMO_PASSWORD}
    return page(request, "web/landing.html", context)


@login_required
def home(request):
    """Send the user to their school, or let them choose when they belong to several."""
    from credo.journey.access import networks_led_by

    schools = user_schools(request.user)
    networks = networks_led_by(request.user)
    if len(schools) == 1 and not networks:
        return redirect("web:school", slug=schools[0].slug)
    if len(networks) == 1 and not schools:
        return redirect("journey:network", network_slug=networks[0].slug)
    return page(request, "web/choose_school.html", {"schools": schools, "networks": networks})


@login_required
@school_page
def school_home(request, school):
    """Each role's home page in this school."""
    roles = request.roles
    if roles & {Role.ADMIN, Role.REGISTRAR}:
        return page(request, "web/home_admin.html", {"overview": mastery.school_overview(school)})
    if Role.TEACHER in roles:
        return page(
            request,
            "web/teaching/sections.html",
            {"sections": sections_taught(user=request.user, school=school), "mine": True},
        )
    if Role.ADVISOR in roles:
        return redirect("web:advisees", slug=school.slug)
    if Role.STUDENT in roles:
        student = Student.objects.filter(school=school, user=request.user).first()
        if student is not None:
            return redirect("web:student", slug=school.slug, student_id=student.pk)
    if Role.GUARDIAN in roles:
        links = GuardianLink.objects.filter(school=school, guardian=request.user).select_related(
            "student__graduation"
        )
        if len(links) == 1:
            return redirect("web:student", slug=school.slug, student_id=links[0].student_id)
        return page(request, "web/home_guardian.html", {"links": links})
    if Role.REVIEWER in roles:
        return redirect("web:reviews", slug=school.slug)
    return page(request, "web/home_other.html")
