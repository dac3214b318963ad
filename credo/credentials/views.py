"""Pages and documents of verifiable credentials.

Public, no account: the issuer profile and controller document of each school (its URL is the
issuer id of every credential the school signs), the definitions of its credits, areas and
competencies, the verification page, and the CLR file behind an active share link.
Signed in: the CLR download of a published version, and the school's credentials page
(keys, rotation, issued credentials, revocation) for admins and registrars.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from credo.accounts.http import school_page
from credo.core.errors import NotAllowed, ValidationError
from credo.core.http import apply_errors, page
from credo.credentials import documents, selectors, services
from credo.credentials.access import access_issued, is_manager
from credo.credentials.forms import RevokeForm, RotateKeyForm, VerifyForm
from credo.credentials.verification import (
    CHECK_TITLES,
    UnreadableDocument,
    key_sentence,
    parse_document,
    verify_document,
)
from credo.transcripts.models import ViewKind

JSON_LD = "application/ld+json"


def _json(request, document: dict) -> HttpResponse:
    wants_ld = JSON_LD in request.headers.get("Accept", "")
    response = JsonResponse(
        document,
        content_type=JSON_LD if wants_ld else "application/json",
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    # Verifiers running in a browser may read issuer documents from another origin.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _school(slug: str):
    from credo.schools.models import School

    return get_object_or_404(School, slug=slug)


# --- the issuer's public documents ---------------------------------------------------------------


def issuer(request, slug):
    """The school's issuer profile and controller document (every signing key it used)."""
    return _json(request, selectors.issuer_document(_school(slug)))


def achievement(request, slug, code):
    """The definition of one of the school's mastery credits, as an Open Badges achievement."""
    from credo.mastery.models import MasteryCredit

    school = _school(slug)
    credit = get_object_or_404(
        # educators' micro-credentials too (credo/growth): their badges name them
        MasteryCredit.all_audiences.select_related("area"),
        school=school,
        code=code,
    )
    area = {"code": credit.area.code, "name": credit.area.name}
    entry = {
        "code": credit.code,
        "title": credit.title,
        "level": credit.level,
        "standard": credit.standard,
    }
    facts = selectors.credit_facts(school, [(area, entry)])[credit.code]
    body = documents.credit_achievement(selectors.issuer_of(school), facts)
    return _json(request, {"@context": list(documents.OB_CONTEXTS[:2]), **body})


def area(request, slug, code):
    """The definition of one of the school's credit areas."""
    from credo.mastery.models import CreditArea

    school = _school(slug)
    found = get_object_or_404(CreditArea.all_audiences, school=school, code=code)
    body = documents.area_achievement(
        selectors.issuer_of(school),
        documents.Area(code=found.code, name=found.name, description=found.description),
    )
    return _json(request, {"@context": list(documents.OB_CONTEXTS[:2]), **body})


def competency(request, slug, pk):
    """One competency of the school's framework, as the alignments of its credits name it."""
    from credo.frameworks.models import Competency

    school = _school(slug)
    found = get_object_or_404(Competency.objects.select_related("framework"), school=school, pk=pk)
    facts = selectors.competency_facts(found, selectors.issuer_url(school))
    return _json(
        request,
        {
            "@context": list(documents.OB_CONTEXTS[:2]),
            "id": documents.competency_url(selectors.issuer_url(school), found.pk),
            **documents.alignment(facts),
        },
    )


# --- verification --------------------------------------------------------------------------------

_SHARE_PATH = re.compile(r"^/(?:t|credentials/shared)/(?P<token>[-_A-Za-z0-9]{8,64})(?:/.*)?$")
_VERSION_PATH = re.compile(r"^/v/(?P<public_id>[0-9a-fA-F-]{36})/?$")


class LinkProblem(Exception):
    """A link cannot be verified; the message says why in plain words."""


def _document_for_link(link: str, opened: list | None = None) -> dict:
    """Return the CLR behind a link to this installation; never fetch anything from elsewhere.

    When the link is a share link, it is appended to ``opened`` (the caller logs the check).
    """
    from credo.transcripts.access import find_share_link, find_version

    link = link.strip()
    parts = urlsplit(link)
    base = urlsplit(selectors.base_url())
    if (parts.scheme or parts.netloc) and (parts.scheme, parts.netloc) != (
        base.scheme,
        base.netloc,
    ):
        raise LinkProblem(
            "Only links to this Credo site can be checked here, and nothing is fetched from "
            "other sites. Download the credential from where it is kept and upload the file."
        )
    path = parts.path
    if base.path and base.path != "/" and path.startswith(base.path.rstrip("/") + "/"):
        path = path[len(base.path.rstrip("/")) :]
    if match := _SHARE_PATH.match(path):
        try:
            shared = find_share_link(token=match["token"])
        except Http404:
            raise LinkProblem("No transcript is shared under that link.") from None
        if shared.state != "active":
            raise LinkProblem(
                "That share link was withdrawn by the student or the school."
                if shared.state == "revoked"
                else "That share link has expired; ask the student for a new one."
            )
        version = shared.version
        if opened is not None:
            opened.append(shared)
    elif match := _VERSION_PATH.match(path):
        try:
            version = find_version(public_id=match["public_id"])
        except Http404:
            raise LinkProblem("No published transcript has that verification link.") from None
    else:
        raise LinkProblem(
            "That is not a link to a shared transcript (…/t/…) or a verification link (…/v/…)."
        )
    # Reading never writes: the CLR is issued after publication, not when someone checks it.
    issued = selectors.clr_of_version(version)
    if issued is None:
        if not selectors.earned_entries(version.content):
            raise LinkProblem(
                "That transcript shows no earned credit yet, so it has no CLR credential to check."
            )
        raise LinkProblem(
            "The signed CLR of that transcript is still being issued; try again in a minute."
        )
    return issued.document


@require_http_methods(["GET", "POST"])
def verify(request):
    """Check an uploaded, pasted or linked credential, and show every check in plain words."""
    report = problem = None
    source = ""
    opened: list = []
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("link"):
                    source = "the linked transcript"
                    document = _document_for_link(data["link"], opened)
                elif data.get("file"):
                    source = f"the file {data['file'].name}"
                    document = parse_document(data["file"].read())
                else:
                    source = "the pasted credential"
                    document = parse_document(data["text"])
                report = verify_document(document)
            except UnreadableDocument as error:
                problem = f"{source[0].upper()}{source[1:]} could not be read: {error}."
            except LinkProblem as error:
                problem = str(error)
    elif request.GET.get("link"):
        form = VerifyForm(initial={"link": request.GET["link"]})
        source = "the linked transcript"
        try:
            report = verify_document(_document_for_link(request.GET["link"], opened))
        except LinkProblem as error:
            problem = str(error)
    else:
        form = VerifyForm()
    if report is not None:
        _log_share_opening(request, opened, ViewKind.VERIFY)
    context = {
        "form": form,
        "report": report,
        "problem": problem,
        "source": source,
        "titles": CHECK_TITLES,
        "sections": _sections(report) if report else [],
        "failures": _failures(report) if report else [],
    }
    response = render(request, "credentials/verify.html", context, status=200)
    response["Cache-Control"] = "no-store"
    return response


def _failures(report) -> list[str]:
    """Return each failed check as one line, naming the credential when there are several."""
    titles = {summary.path: summary.title for summary in report.credentials}
    lines = []
    for check in report.result.failures:
        title = CHECK_TITLES.get(check.name, check.name)
        where = f"{titles[check.path]} — " if len(titles) > 1 and check.path in titles else ""
        lines.append(f"{where}{title}: {check.message}")
    return lines


def _sections(report) -> list[dict]:
    sections = []
    for summary in report.credentials:
        rows = []
        for check in summary.checks:
            state = "fail" if not check.ok else "warn" if check.warning else "ok"
            rows.append(
                {
                    "title": CHECK_TITLES.get(check.name, check.name),
                    "state": state,
                    "message": check.message,
                }
            )
        sections.append(
            {
                "summary": summary,
                "rows": rows,
                "key_sentence": key_sentence(summary),
                "failed": sum(1 for r in rows if r["state"] == "fail"),
            }
        )
    return sections


# --- downloads -----------------------------------------------------------------------------------


def _download(document: dict, filename: str) -> HttpResponse:
    body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    response = HttpResponse(body, content_type=JSON_LD)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filename(version) -> str:
    name = version.content.get("student", {}).get("name", "transcript")
    safe = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "transcript"
    return f"{safe}-transcript-v{version.number}.clr.json"


def _clr_or_problem(request, version):
    """Return (the stored CLR, None), or (None, a 409 page when the version has nothing to put in
    a CLR, or a 202 page while the CLR queued at publication is still being issued).

    A download never issues anything: reading never writes.
    """
    issued = selectors.clr_of_version(version)
    if issued is not None:
        return issued, None
    if not selectors.earned_entries(version.content):
        message = "This transcript version shows no earned credit yet, so there is nothing to put in a CLR."
        return None, render(request, "credentials/no_clr.html", {"message": message}, status=409)
    response = render(
        request,
        "credentials/no_clr.html",
        {
            "message": "The signed CLR of this version is being issued after its publication. "
            "Try again in a minute.",
            "pending": True,
        },
        status=202,
    )
    response["Retry-After"] = "30"
    return None, response


@login_required
@school_page
def version_clr(request, school, public_id):
    """Download the CLR 2.0 credential of a published version the user may see."""
    from credo.transcripts.access import access_version

    version = access_version(user=request.user, school=school, public_id=public_id)
    issued, problem = _clr_or_problem(request, version)
    return problem or _download(issued.document, _filename(version))


def shared_clr(request, token):
    """Download the CLR 2.0 credential behind an active share link (no account needed)."""
    from credo.transcripts.access import find_share_link

    link = find_share_link(token=token)
    if link.state != "active":
        raise Http404("That link no longer works.")
    issued, problem = _clr_or_problem(request, link.version)
    if problem:
        return problem
    _log_share_opening(request, [link], ViewKind.CLR)
    return _download(issued.document, _filename(link.version))


def _log_share_opening(request, links: list, kind: str) -> None:
    """Add an opening of a share link to the log its student reads (a CLR download, a check)."""
    from credo.transcripts.services import share_view_record

    for link in links:
        share_view_record(
            link=link, kind=kind, user_agent=request.headers.get("User-Agent", "")[:200]
        )


# --- the school's credentials page -----------------------------------------------------------------


@login_required
@school_page
def school_credentials(request, school):
    """Signing keys (with rotation) and the credentials issued, for admins and registrars."""
    if not is_manager(request.user, school):
        raise PermissionDenied("Only a school admin or registrar manages signing keys.")
    form = RotateKeyForm()
    if request.method == "POST":
        form = RotateKeyForm(request.POST)
        if form.is_valid():
            try:
                key = services.school_key_rotate(
                    actor=request.user, school=school, reason=form.cleaned_data["reason"]
                )
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except ValidationError as error:
                apply_errors(form, error)
            else:
                from django.contrib import messages

                messages.success(
                    request,
                    f"New signing key {key.public_key_multibase[:16]}… is in use. The old key "
                    "stays published, so everything it signed still verifies.",
                )
                return redirect("credentials:school", school.slug)
    issued = list(
        selectors.credentials_of_school(school).select_related(
            "student", "award__credit", "transcript_version", "key"
        )[:50]
    )
    statuses = selectors.credential_statuses(issued)
    return page(
        request,
        "credentials/school.html",
        {
            "keys": selectors.keys_of(school),
            "form": form,
            "issued": [(item, statuses[item.pk]) for item in issued],
            "issuer_url": selectors.issuer_url(school),
        },
    )


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def revoke(request, school, public_id):
    """Revoke one issued credential, with a reason verifiers will see."""
    issued = access_issued(user=request.user, school=school, public_id=public_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_revoke(
                actor=request.user, credential=issued, reason=form.cleaned_data["reason"]
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            apply_errors(form, error)
        else:
            from django.contrib import messages

            messages.success(request, _("The credential is revoked; verifiers here now say so."))
            return redirect(reverse("credentials:school", args=[school.slug]))
    return page(
        request,
        "credentials/revoke.html",
        {"issued": issued, "status": selectors.credential_status(issued), "form": form},
    )
