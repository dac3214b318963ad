"""One student's transcript page: versions, publishing, share links, comments; the preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from credo.accounts.access import access_student, is_manager, is_staff_of, is_student_self
from credo.accounts.http import school_page
from credo.core.errors import NotAllowed
from credo.core.http import page
from credo.mastery.models import MasteryCredit
from credo.transcripts import forms, selectors, services
from credo.transcripts import render as tx_render
from credo.transcripts.access import (
    access_comment,
    access_link_for_change,
    may_read_letters,
    may_share,
)
from credo.transcripts.models import TranscriptComment
from credo.transcripts.views.common import (
    _apply,
)

# --- one student's transcript ------------------------------------------------------------------------


def _student_context(
    request, school, student, *, share_form=None, comment_form=None, publish_form=None
):
    versions = list(selectors.versions_of(student))
    manager = is_manager(request.user, school)
    staff = is_staff_of(request.user, school)
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
        "is_self": is_student_self(request.user, student),
        "share_form": share_form or forms.ShareForm(versions=versions),
        "comment_form": comment_form or forms.CommentForm(credits=credits),
        "publish_form": publish_form or forms.PublishForm(),
        "comments": comments,
        "story": story,
        "highlighted_approved": highlighted.filter(approved_at__isnull=False).count(),
        "highlighted_waiting": highlighted.filter(approved_at__isnull=True).count(),
        "grade_conversion": manager and school.grade_conversion_enabled,
        "letters_readable": may_read_letters(request.user, student),
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
