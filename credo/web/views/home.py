"""Landing, sign-in and each role's home page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import redirect

from credo.accounts.access import user_schools
from credo.accounts.http import school_page
from credo.accounts.models import GuardianLink, Membership, Role, Student
from credo.core.http import page
from credo.mastery import asof
from credo.mastery import selectors as mastery
from credo.mastery.worklists import worklist_counts
from credo.schools.models import School
from credo.schools.selectors import sections_taught
from credo.web.views.asof import as_of_request

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


def demo_accounts() -> tuple[list[dict], list[dict]]:
    """Return a few sign-in accounts per school (two teachers and two students, one of every other
    role) marking who sits on the school's journey team, then each network with its leads."""
    from credo.journey.models import JourneyTeamMember, TeamRole
    from credo.schools.models import NetworkLead

    limits = {role: 2 if role in (Role.TEACHER, Role.STUDENT) else 1 for role in DEMO_ROLE_ORDER}
    picked: dict[tuple[int, str], list] = {}
    # The first accounts of each role by id: the demo's "<role>1@<school>" ones.
    for m in (
        Membership.objects.filter(role__in=DEMO_ROLE_ORDER)
        .select_related("user")
        .only(
            "school_id",
            "role",
            "user__username",
            "user__display_name",
            "user__first_name",
            "user__last_name",
        )
        .order_by("school_id", "role", "user_id")
    ):
        seats = picked.setdefault((m.school_id, m.role), [])
        if len(seats) < limits[m.role]:
            seats.append(m)
    team = {
        (school_id, user_id): role == TeamRole.LEAD
        for school_id, user_id, role in JourneyTeamMember.objects.values_list(
            "school_id", "user_id", "role"
        )
    }
    rows = []
    for school in School.objects.order_by("name"):
        accounts = []
        for role in DEMO_ROLE_ORDER:
            for m in picked.get((school.pk, role), []):
                seat = team.get((school.pk, m.user_id))
                accounts.append(
                    {
                        "role": m.get_role_display(),
                        "username": m.user.username,
                        "name": str(m.user),
                        "journey": None if seat is None else ("lead" if seat else "member"),
                    }
                )
        rows.append({"school": school, "accounts": accounts})
    networks: dict[int, dict] = {}
    for lead in NetworkLead.objects.select_related("network", "user").order_by(
        "network__name", "user_id"
    ):
        row = networks.setdefault(
            lead.network_id,
            {"network": lead.network, "schools": [], "accounts": []},
        )
        row["accounts"].append(
            {"role": "Network lead", "username": lead.user.username, "name": str(lead.user)}
        )
    for school in School.objects.filter(network_id__in=networks).order_by("name"):
        networks[school.network_id]["schools"].append(school)
    return rows, list(networks.values())


def demo_shared_transcripts() -> dict[int, object]:
    """Return, per school, the first working share link of its `student1` (the demo's senior),
    carrying its token (derived again from the secret key: only its hash is stored)."""
    from django.utils import timezone

    from credo.transcripts.demo_links import demo_share_token
    from credo.transcripts.models import ShareLink

    found: dict[int, object] = {}
    for link in (
        ShareLink.objects.filter(
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            student__user__username__startswith="student1@",
        )
        .select_related("student__user", "school")
        .order_by("created_at", "id")
    ):
        if link.student.user.username != f"student1@{link.school.slug}":
            continue
        token = demo_share_token(link.pk)
        if link.school_id not in found and ShareLink.hash_token(token) == link.token_hash:
            link.token = token
            found[link.school_id] = link
    return found


def landing(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    context = {}
    if settings.CREDO_DEMO:
        schools, networks = demo_accounts()
        shared = demo_shared_transcripts()
        for row in schools:
            row["shared"] = shared.get(row["school"].pk)
        context = {"demo": schools, "demo_networks": networks, "demo_password": DEMO_PASSWORD}
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
        from credo.journey.selectors import home_summary
        from credo.mastery.models import Assessment

        day, past = as_of_request(request, school)  # a past day: replayed from history
        if day is not None:
            return page(
                request,
                "web/home_admin.html",
                {**past, "overview": asof.school_overview(school, day)},
            )
        overview = mastery.school_overview(school)
        latest = None
        if not overview.assessments_30d:
            # A quiet month (or demo data that ends in the past): say when the last one was.
            latest = Assessment.objects.filter(school=school).aggregate(at=Max("assessed_at"))["at"]
        context = {
            **past,
            "overview": overview,
            "latest_assessment": latest,
            "levels_total": sum(overview.status_counts.values()),
            "journey": home_summary(school, request.user),
            "worklists": worklist_counts(request.user, school),
        }
        return page(request, "web/home_admin.html", context)
    if Role.TEACHER in roles:
        return page(
            request,
            "web/teaching/sections.html",
            {
                "sections": sections_taught(user=request.user, school=school),
                "mine": True,
                "worklists": worklist_counts(request.user, school),
            },
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
    if roles & {Role.REVIEWER, Role.REVIEW_COORDINATOR}:
        return redirect("web:reviews", slug=school.slug)
    return page(request, "web/home_other.html")
