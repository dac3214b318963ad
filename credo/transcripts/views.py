"""Transcript pages: the registrar's publishing, the student's versions and links, the readers' views.

Signed-in pages live under /s/<slug>/transcripts/. Readers without an account open /t/<token>/
(a share link) and /v/<public id>/ (verification). Views are thin: access functions fetch and
authorize, services write, selectors and `render` read.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from credo.accounts.access import access_student, is_manager, students_visible_to
from credo.accounts.http import school_page
from credo.accounts.models import STAFF_ROLES, Role, Student
from credo.core.errors import NotAllowed
from credo.core.http import page
from credo.mastery.models import MasteryCredit
from credo.transcripts import forms, selectors, services
from credo.transcripts import render as tx_render
from credo.transcripts.access import (
    access_comment,
    access_link_for_change,
    access_publication_run,
    access_version,
    find_share_link,
    find_version,
    may_share,
)
from credo.transcripts.models import TranscriptComment, TranscriptVersion, ViewKind
from credo.transcripts.pdf import pdf_for


def _apply(form, exc: ValidationError) -> None:
    """Put a service's messages beside the form's fields (or on the form when no field matches)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _no_store(response):
    # Revocation must work at once: nothing of a shared transcript may be cached on the way.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- the school's transcripts page ----------------------------------------------------------------


@login_required
@school_page
def home(request, school):
    """Registrars publish cohorts here; students go to their own transcript; staff see their students."""
    roles = request.roles
    manager = bool(roles & {Role.ADMIN, Role.REGISTRAR})
    if not manager:
        if Role.STUDENT in roles:
            me = Student.objects.filter(school=school, user=request.user).first()
            if me is not None:
                return redirect("transcripts:student", slug=school.slug, student_id=me.pk)
        visible = set(students_visible_to(request.user, school).values_list("pk", flat=True))
        rows = [r for r in selectors.cohort_rows(school) if r["student"].pk in visible]
        return page(request, "transcripts/home_staff.html", {"rows": rows})

    cohorts = selectors.cohorts_of(school)
    years = [c["year"] for c in cohorts]
    form = forms.CohortPublishForm(
        request.POST or None,
        cohorts=years,
        initial={"cohort": years[0] if years else None, "render_pdf": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.publication_run_start(
                actor=request.user,
                school=school,
                cohort=form.cleaned_data["cohort"],
                note=form.cleaned_data["note"],
                render_pdf=form.cleaned_data["render_pdf"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, f"Publishing the transcripts of the class of {run.cohort} has started."
            )
            return redirect("transcripts:run", slug=school.slug, run_id=run.pk)
    chosen = request.GET.get("cohort")
    cohort = int(chosen) if chosen and chosen.isdigit() else (years[0] if years else None)
    rows = selectors.cohort_rows(school, cohort=cohort) if cohort is not None else []
    return page(
        request,
        "transcripts/home_registrar.html",
        {
            "cohorts": cohorts,
            "cohort": cohort,
            "rows": rows,
            "form": form,
            "runs": selectors.runs_of(school),
            "grade_conversion": school.grade_conversion_enabled,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@school_page
def run_detail(request, school, run_id):
    """A publication run's progress; htmx polls the progress block until the run finishes."""
    run = access_publication_run(user=request.user, school=school, run_id=run_id)
    template = (
        "transcripts/_run.html" if request.headers.get("HX-Request") else "transcripts/run.html"
    )
    return page(request, template, {"run": run, "lost": selectors.publication_run_lost(run)})


@login_required
@school_page
@require_http_methods(["POST"])
def run_retry(request, school, run_id):
    """Queue a run that stopped before the end (its worker died) to go on from where it stopped."""
    run = access_publication_run(user=request.user, school=school, run_id=run_id)
    try:
        run = services.publication_run_retry(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Publishing goes on after {run.position} of {run.total} transcripts."
        )
    return redirect("transcripts:run", slug=school.slug, run_id=run.pk)


# --- one student's transcript ------------------------------------------------------------------------


def _student_context(
    request, school, student, *, share_form=None, comment_form=None, publish_form=None
):
    versions = list(selectors.versions_of(student))
    manager = is_manager(request.user, school)
    staff = bool(request.roles & STAFF_ROLES)
    credits = list(
        MasteryCredit.objects.filter(school=school).order_by(
            "area__order", "level", "order", "code"
        )
    )
    from credo.evidence.models import Evidence, StudentStory

    story = StudentStory.objects.filter(student=student).first()
    highlighted = Evidence.objects.filter(student=student, highlighted=True)
    comments = (
        TranscriptComment.objects.filter(student=student, withdrawn_at__isnull=True)
        .select_related("credit")
        .order_by("-created_at", "-id")
    )
    return {
        "student": student,
        "versions": versions,
        "current": versions[0] if versions else None,
        "links": selectors.links_of(student),
        "views": selectors.views_of(student, limit=50),
        "may_share": may_share(request.user, student),
        "manager": manager,
        "staff": staff,
        "is_self": student.user_id == request.user.pk,
        "share_form": share_form or forms.ShareForm(versions=versions),
        "comment_form": comment_form or forms.CommentForm(credits=credits),
        "publish_form": publish_form or forms.PublishForm(),
        "comments": comments,
        "story": story,
        "highlighted_approved": highlighted.filter(approved_at__isnull=False).count(),
        "highlighted_waiting": highlighted.filter(approved_at__isnull=True).count(),
        "grade_conversion": manager and school.grade_conversion_enabled,
        "now": timezone.now(),
    }


NEW_LINK = "credo_new_share_link"  # session key: the address of a link just made, shown once


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def student_transcript(request, school, student_id):
    """The student's transcript: versions, publishing, share links and who opened them, comments."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    here = reverse("transcripts:student", args=[school.slug, student.pk])
    if request.method == "GET":
        context = _student_context(request, school, student)
        shown = request.session.pop(NEW_LINK, None)  # a link made by the POST just before
        if shown:
            context["links"] = list(context["links"])
            for link in context["links"]:
                if link.pk == shown["id"]:
                    link.token = shown["token"]
                    context["new_link"] = link
        return page(request, "transcripts/student.html", context)

    action = request.POST.get("action", "")
    kwargs = {}
    try:
        if action == "publish":
            form = forms.PublishForm(request.POST)
            kwargs["publish_form"] = form
            if form.is_valid():
                result = services.transcript_publish(
                    actor=request.user, student=student, note=form.cleaned_data["note"]
                )
                if result.created:
                    messages.success(request, f"Version {result.version.number} is published.")
                else:
                    messages.info(
                        request,
                        f"Nothing has changed since version {result.version.number}; "
                        "it stays the current version.",
                    )
                return redirect(here)
        elif action == "share":
            versions = list(selectors.versions_of(student))
            form = forms.ShareForm(request.POST, versions=versions)
            kwargs["share_form"] = form
            if form.is_valid():
                version = next(v for v in versions if v.pk == form.cleaned_data["version"])
                try:
                    link = services.share_link_create(
                        actor=request.user,
                        version=version,
                        recipient=form.cleaned_data["recipient"],
                        expires_on=form.cleaned_data["expires_on"],
                    )
                except ValidationError as exc:
                    _apply(form, exc)
                else:
                    # Credo keeps only the token's hash: the address rides in the session to the
                    # next page, which shows it once and forgets it.
                    request.session[NEW_LINK] = {"id": link.pk, "token": link.token}
                    messages.success(
                        request,
                        f"A link for {link.recipient} is ready. Copy it now: for safety Credo "
                        "shows it only this once.",
                    )
                    return redirect(f"{here}#links")
        elif action == "revoke":
            link = access_link_for_change(
                user=request.user, school=school, link_id=request.POST.get("link")
            )
            if link.student_id != student.pk:
                raise Http404("No such link.")
            services.share_link_revoke(actor=request.user, link=link)
            messages.success(request, f"The link for {link.recipient} no longer works.")
            return redirect(f"{here}#links")
        elif action == "comment":
            credits = list(MasteryCredit.objects.filter(school=school))
            form = forms.CommentForm(request.POST, credits=credits)
            kwargs["comment_form"] = form
            if form.is_valid():
                credit = next(c for c in credits if c.pk == form.cleaned_data["credit"])
                try:
                    services.comment_add(
                        actor=request.user,
                        student=student,
                        credit=credit,
                        body=form.cleaned_data["body"],
                    )
                except ValidationError as exc:
                    _apply(form, exc)
                else:
                    messages.success(
                        request, "Comment added. It shows on the next published version."
                    )
                    return redirect(f"{here}#comments")
        elif action == "withdraw_comment":
            comment = access_comment(
                user=request.user, school=school, comment_id=request.POST.get("comment")
            )
            if comment.student_id != student.pk:
                raise Http404("No such comment.")
            services.comment_withdraw(actor=request.user, comment=comment)
            messages.success(request, "Comment withdrawn from future versions.")
            return redirect(f"{here}#comments")
        else:
            raise Http404("Unknown action.")
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return page(
            request,
            "transcripts/student.html",
            _student_context(request, school, student, **kwargs),
            status=403,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return page(
        request,
        "transcripts/student.html",
        _student_context(request, school, student, **kwargs),
        status=400,
    )


@login_required
@school_page
def preview(request, school, student_id):
    """The transcript as it would be published now (nothing is stored)."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    content = selectors.transcript_content(student)
    ctx = tx_render.context(content, mode="page")
    ctx.update(student_obj=student, draft=True)
    return page(request, "transcripts/version.html", ctx)


# --- published versions (signed in) ---------------------------------------------------------------------


def _staff_evidence_url(school, version):
    return lambda key: reverse(
        "transcripts:version_evidence", args=[school.slug, version.public_id, key]
    )


@login_required
@school_page
def version_page(request, school, public_id):
    version = access_version(user=request.user, school=school, public_id=public_id)
    ctx = tx_render.context(
        version.content,
        version=version,
        evidence_url=_staff_evidence_url(school, version),
        mode="page",
        verification_url=version.verification_url(),
    )
    ctx.update(
        student_obj=version.student,
        draft=False,
        is_current=version.is_current,
        hash_ok=version.hash_matches(),
        revocations=selectors.revocations_since(version),
    )
    return page(request, "transcripts/version.html", ctx)


@login_required
@school_page
def version_pdf(request, school, public_id):
    version = access_version(user=request.user, school=school, public_id=public_id)
    return _pdf_response(version, pdf_for(version))


@login_required
@school_page
def version_json(request, school, public_id):
    version = access_version(user=request.user, school=school, public_id=public_id)
    from credo.transcripts.exports import export_json

    response = HttpResponse(export_json(version), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_filename(version)}.json"'
    return response


@login_required
@school_page
def version_evidence(request, school, public_id, key):
    version = access_version(user=request.user, school=school, public_id=public_id)
    item = _evidence(version, key)
    back = reverse("transcripts:version", args=[school.slug, version.public_id])
    file_url = reverse(
        "transcripts:version_evidence_file", args=[school.slug, version.public_id, key]
    )
    return page(
        request,
        "transcripts/evidence.html",
        {
            "item": item,
            "version": version,
            "content": version.content,
            "back": back,
            "file_url": file_url,
            "public": False,
        },
    )


@login_required
@school_page
def version_evidence_file(request, school, public_id, key):
    version = access_version(user=request.user, school=school, public_id=public_id)
    return _evidence_file(_evidence(version, key), key)


def _evidence(version: TranscriptVersion, key: str) -> dict:
    item = version.content.get("evidence", {}).get(key)
    if item is None:
        raise Http404("No such evidence.")
    return {
        **item,
        "date": tx_render._date(item["demonstrated_on"]),
        "approved_date": tx_render._date(item.get("approved_on")),
    }


def _evidence_file(item: dict, key: str):
    """Serve a piece of evidence's file only while it is byte for byte what was published."""
    facts = item.get("file")
    if not facts:
        raise Http404("No file.")
    try:
        with default_storage.open(facts["path"], "rb") as fh:
            data = fh.read()
    except (KeyError, FileNotFoundError, OSError):
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == facts["sha256"]:
        # The type found when the file was uploaded; versions published before it was kept
        # are served as plain bytes.
        content_type = facts.get("content_type") or "application/octet-stream"
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, facts["name"])
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        return response
    raise Http404("This file is no longer available as it was published.")


def _filename(version: TranscriptVersion) -> str:
    student = version.content["student"]
    name = f"{student['family_name']}-{student['given_name']}".replace(" ", "-")
    return f"mastery-transcript-{name}-v{version.number}"


def _pdf_response(version, data: bytes, *, inline: bool = False):
    response = FileResponse(iter([data]), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{_filename(version)}.pdf"'
    response["Content-Length"] = str(len(data))
    return response


# --- share links (no account) ------------------------------------------------------------------------------


def _open_link(request, token: str):
    """Return (link, None) for a working link, or (None, response) saying plainly why it does not work."""
    try:
        link = find_share_link(token=token)
    except Http404:
        return None, _no_store(
            render(request, "transcripts/link_problem.html", {"problem": "unknown"}, status=404)
        )
    state = link.state
    if state != "active":
        return None, _no_store(
            render(
                request,
                "transcripts/link_problem.html",
                {"problem": state, "link": link},
                status=410,
            )
        )
    return link, None


def _agent(request) -> str:
    return request.headers.get("User-Agent", "")[:200]


def shared(request, token):
    """The read-only transcript a share link opens. Every opening is logged for the student."""
    link, problem = _open_link(request, token)
    if problem:
        return problem
    version = link.version
    services.share_view_record(link=link, kind=ViewKind.PAGE, user_agent=_agent(request))
    ctx = tx_render.context(
        version.content,
        version=version,
        mode="page",
        verification_url=version.verification_url(),
        evidence_url=lambda key: reverse("transcripts:shared_evidence", args=[token, key]),
    )
    ctx.update(
        link=link,
        is_current=version.is_current,
        hash_ok=version.hash_matches(),
        revocations=selectors.revocations_since(version),
    )
    return _no_store(render(request, "transcripts/shared.html", ctx))


def shared_pdf(request, token):
    link, problem = _open_link(request, token)
    if problem:
        return problem
    services.share_view_record(link=link, kind=ViewKind.PDF, user_agent=_agent(request))
    return _no_store(_pdf_response(link.version, pdf_for(link.version, link=link)))


def shared_evidence(request, token, key):
    link, problem = _open_link(request, token)
    if problem:
        return problem
    item = _evidence(link.version, key)
    services.share_view_record(
        link=link, kind=ViewKind.EVIDENCE, evidence_key=key, user_agent=_agent(request)
    )
    return _no_store(
        render(
            request,
            "transcripts/evidence.html",
            {
                "item": item,
                "version": link.version,
                "content": link.version.content,
                "public": True,
                "back": reverse("transcripts:shared", args=[token]),
                "file_url": reverse("transcripts:shared_evidence_file", args=[token, key]),
            },
        )
    )


def shared_evidence_file(request, token, key):
    link, problem = _open_link(request, token)
    if problem:
        return problem
    item = _evidence(link.version, key)
    response = _evidence_file(item, key)
    services.share_view_record(
        link=link, kind=ViewKind.FILE, evidence_key=key, user_agent=_agent(request)
    )
    return _no_store(response)


def verify(request, public_id):
    """Say whether a version id belongs to a transcript this installation published, and its status."""
    version = find_version(public_id=public_id)
    newest = (
        TranscriptVersion.objects.filter(student_id=version.student_id)
        .order_by("-number")
        .only("number")
        .first()
    )
    response = render(
        request,
        "transcripts/verify.html",
        {
            "version": version,
            "content": version.content,
            "hash_ok": version.hash_matches(),
            "is_current": version.is_current,
            "newest": newest,
            "revocations": selectors.revocations_since(version),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the school's settings and the separate grade report ------------------------------------------------


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def settings_page(request, school):
    """Whether transcripts list courses; the grade conversion table and whether its report is on."""
    if not is_manager(request.user, school):
        raise Http404("No such page.")
    table = selectors.grade_table_of(school)
    policy = selectors.policy_of(school)
    policy_form = forms.PolicyForm(initial={"include_courses": policy.include_courses})
    initial = {"name": table.name, "purpose": table.purpose} if table else {}
    if table:
        for i, band in enumerate(table.bands.all()):
            initial.update(
                {f"min_{i}": band.min_score, f"label_{i}": band.label, f"points_{i}": band.points}
            )
    grade_form = forms.GradeTableForm(initial=initial)
    contact_form = forms.ContactForm(
        initial={field: getattr(school, field) for field in services.CONTACT_FIELDS}
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "policy":
                policy_form = forms.PolicyForm(request.POST)
                if policy_form.is_valid():
                    services.transcript_policy_save(
                        actor=request.user,
                        school=school,
                        include_courses=policy_form.cleaned_data["include_courses"],
                    )
                    messages.success(
                        request, "Saved. The change shows on transcripts published from now on."
                    )
                    return redirect("transcripts:settings", slug=school.slug)
            elif action == "contact":
                contact_form = forms.ContactForm(request.POST)
                if contact_form.is_valid():
                    try:
                        services.school_contact_save(
                            actor=request.user, school=school, **contact_form.cleaned_data
                        )
                    except ValidationError as exc:
                        _apply(contact_form, exc)
                    else:
                        messages.success(
                            request,
                            "Saved. Transcripts published from now on show the code and contact.",
                        )
                        return redirect("transcripts:settings", slug=school.slug)
            elif action == "grades":
                grade_form = forms.GradeTableForm(request.POST)
                if grade_form.is_valid():
                    try:
                        services.grade_table_save(
                            actor=request.user,
                            school=school,
                            name=grade_form.cleaned_data["name"],
                            purpose=grade_form.cleaned_data["purpose"],
                            bands=grade_form.bands(),
                        )
                    except ValidationError as exc:
                        _apply(grade_form, exc)
                    else:
                        messages.success(request, "Conversion table saved.")
                        return redirect("transcripts:settings", slug=school.slug)
            elif action in ("enable", "disable"):
                services.grade_conversion_set_enabled(
                    actor=request.user, school=school, enabled=action == "enable"
                )
                messages.success(
                    request,
                    "Grade conversion report turned " + ("on." if action == "enable" else "off."),
                )
                return redirect("transcripts:settings", slug=school.slug)
            else:
                raise Http404("Unknown action.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        status = 400
    return page(
        request,
        "transcripts/settings.html",
        {
            "policy_form": policy_form,
            "contact_form": contact_form,
            "grade_form": grade_form,
            "table": table,
        },
        status=status,
    )


@login_required
@school_page
def grade_report(request, school, student_id):
    """The grade-conversion report: a separate document, shown only when the school turned it on."""
    if not (is_manager(request.user, school) and school.grade_conversion_enabled):
        raise Http404("No such report.")
    student = access_student(user=request.user, student_id=student_id, school=school)
    table = selectors.grade_table_of(school)
    if table is None:
        raise Http404("No conversion table.")
    return page(
        request,
        "transcripts/grade_report.html",
        {
            "student": student,
            "table": table,
            "report": selectors.grade_report(student, table),
            "today": timezone.localdate(),
        },
    )
