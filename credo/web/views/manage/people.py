"""The people of the school: staff, guardians and reviewers (roles, sign-in links,
lockouts, two-factor resets) and students."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from credo.accounts import services as people
from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.core.errors import NotAllowed, ValidationError
from credo.core.http import page, save_form
from credo.web.forms import manage as f
from credo.web.views.accounts import SIGNIN_LINKS_PER_PERSON, signin_links_limited
from credo.web.views.manage.common import (
    _done,
    _form_page,
    _get,
    _staff_with,
    manager_page,
)

# --- people ---------------------------------------------------------------------------------------------


LIST_PAGE = 50  # people or students per page of a setup list


def _query(request) -> dict:
    """The search and filter of a setup list, as given (stripped), for the form and the links."""
    return {k: request.GET.get(k, "").strip()[:100] for k in ("q", "role", "year")}


@manager_page
def people_list(request, school):
    query = _query(request)
    users = User.objects.filter(memberships__school=school)
    if query["q"]:
        users = users.filter(
            Q(display_name__icontains=query["q"])
            | Q(username__icontains=query["q"])
            | Q(email__icontains=query["q"])
            | Q(first_name__icontains=query["q"])
            | Q(last_name__icontains=query["q"])
        )
    if query["role"] in Role.values:
        users = users.filter(memberships__school=school, memberships__role=query["role"])
    users = (
        users.distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(school=school),
                to_attr="school_memberships",
            )
        )
        .order_by("display_name", "username")
    )
    return page(
        request,
        "web/manage/people.html",
        {
            "people": Paginator(users, LIST_PAGE).get_page(request.GET.get("page")),
            "query": query,
            "role_choices": Role.choices,
        },
    )


@manager_page
def person_new(request, school):
    form = f.PersonForm(request.POST or None)
    if request.method == "POST" and save_form(
        form, lambda d: people.person_create(actor=request.user, school=school, **d)
    ):
        return _done(request, gettext("Person added."), "web:manage_people", school)
    return _form_page(
        request,
        form,
        title=gettext("New person"),
        back=reverse("web:manage_people", args=[school.slug]),
        intro=gettext("Staff, guardians and reviewers. Add students under Students."),
    )


def _person(school, user_id):
    user = User.objects.filter(pk=user_id, memberships__school=school).distinct().first()
    if user is None:
        raise Http404("Not found.")
    return user


def _roles_form(school, user, data=None):
    """The person's roles in this school, as a form filled with what they hold now."""
    roles = list(Membership.objects.filter(school=school, user=user).values_list("role", flat=True))
    return f.RolesForm(data, initial={"roles": roles})


def _person_page(request, school, user, form, **extra):
    from credo.accounts.signin import lockout_state

    return _form_page(
        request,
        form,
        title=gettext("Roles of %(user)s") % {"user": user},
        back=reverse("web:manage_people", args=[school.slug]),
        template="web/manage/person.html",
        person=user,
        lockout=lockout_state(user),
        **extra,
    )


@manager_page
def person(request, school, user_id):
    user = _person(school, user_id)
    form = _roles_form(school, user, request.POST or None)
    if request.method == "POST" and save_form(
        form,
        lambda d: people.memberships_set(
            actor=request.user, school=school, user=user, roles=d["roles"]
        ),
    ):
        return _done(
            request,
            gettext("Roles of %(user)s saved.") % {"user": user},
            "web:manage_people",
            school,
        )
    return _person_page(request, school, user, form)


@manager_page
def person_signin_link(request, school, user_id):
    """Make a one-time link with which the person chooses their password (e-mailed when possible)."""
    user = _person(school, user_id)
    if request.method != "POST":
        return redirect("web:manage_person", school.slug, user.pk)
    form = _roles_form(school, user)
    if signin_links_limited(request, user):
        return _person_page(
            request,
            school,
            user,
            form,
            link_error=f"{user} has been sent {SIGNIN_LINKS_PER_PERSON} links in the last hour; "
            "wait an hour before making another, or hand over the last one.",
        )
    try:
        path, emailed = people.signin_link_create(actor=request.user, school=school, user=user)
    except ValidationError as exc:
        return _person_page(request, school, user, form, link_error=" ".join(exc.messages))
    return _person_page(
        request, school, user, form, link=request.build_absolute_uri(path), emailed=emailed
    )


@manager_page
def person_lockout_lift(request, school, user_id):
    """Lift the lockout django-axes put on the person's account after failed sign-ins."""
    user = _person(school, user_id)
    if request.method == "POST":
        people.signin_lockout_lift(actor=request.user, school=school, user=user)
        messages.success(request, gettext("%(user)s can sign in again.") % {"user": user})
    return redirect("web:manage_person", school.slug, user.pk)


@manager_page
def person_two_factor_reset(request, school, user_id):
    """Remove the second factor of a person who lost their phone and their recovery codes."""
    user = _person(school, user_id)
    if request.method == "POST":
        try:
            people.two_factor_reset(actor=request.user, school=school, user=user)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(
            request,
            gettext(
                "%(user)s's two-step sign-in is removed: they sign in with their password and set "
                "it up again."
            )
            % {"user": user},
        )
    return redirect("web:manage_person", school.slug, user.pk)


@manager_page
def students(request, school):
    query = _query(request)
    rows = Student.objects.filter(school=school)
    years = sorted(rows.order_by().values_list("graduation_year", flat=True).distinct())
    if query["q"]:
        rows = rows.filter(
            Q(given_name__icontains=query["q"])
            | Q(family_name__icontains=query["q"])
            | Q(preferred_name__icontains=query["q"])
            | Q(student_number__icontains=query["q"])
        )
    if query["year"].isdigit():
        rows = rows.filter(graduation_year=int(query["year"]))
    rows = rows.select_related("advisor", "user", "graduation").order_by(
        "graduation_year", "family_name", "given_name", "id"
    )
    return page(
        request,
        "web/manage/students.html",
        {
            "students": Paginator(rows, LIST_PAGE).get_page(request.GET.get("page")),
            "query": query,
            "years": years,
        },
    )


@manager_page
def student_new(request, school):
    form = f.NewStudentForm(request.POST or None, advisors=_staff_with(school, Role.ADVISOR))
    if request.method == "POST" and save_form(
        form, lambda d: people.student_enrol(actor=request.user, school=school, **d)
    ):
        return _done(request, gettext("Student added."), "web:manage_students", school)
    return _form_page(
        request,
        form,
        title=gettext("New student"),
        back=reverse("web:manage_students", args=[school.slug]),
    )


@manager_page
def student(request, school, student_id):
    obj = _get(Student, school, student_id)
    names = ["given_name", "family_name", "preferred_name", "graduation_year", "advisor", "active"]
    action = request.POST.get("action", "student")
    form = f.EditStudentForm(
        request.POST if action == "student" else None,
        advisors=_staff_with(school, Role.ADVISOR),
        initial={k: getattr(obj, k) for k in names},
    )
    guardian_form = f.GuardianForm(
        request.POST if action == "guardian" else None, guardians=_staff_with(school, Role.GUARDIAN)
    )
    if request.method == "POST":
        if action == "student" and save_form(
            form, lambda d: people.student_update(actor=request.user, student=obj, **d)
        ):
            return _done(request, gettext("Student saved."), "web:manage_students", school)
        if action == "guardian" and save_form(
            guardian_form,
            lambda d: people.guardian_link(
                actor=request.user,
                student=obj,
                guardian=d["guardian"],
                relationship=d["relationship"].strip(),
            ),
        ):
            return _done(request, gettext("Guardian linked."), "web:manage_student", school, obj.pk)
    links = GuardianLink.objects.filter(student=obj).select_related("guardian")
    return _form_page(
        request,
        form,
        title=gettext("Student: %(name)s") % {"name": obj},
        back=reverse("web:manage_students", args=[school.slug]),
        template="web/manage/student_form.html",
        student=obj,
        guardian_form=guardian_form,
        links=links,
    )
