"""Imports in the web app: upload a file, see what it would change (or every problem in it), confirm.
Exports: download a framework as CASE or Canvas outcomes, or the school's scores."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.core.errors import NotAllowed
from credo.core.http import page
from credo.frameworks.models import Framework
from credo.interop import exports, roster_export, services
from credo.interop.access import access_import_run, require_importer
from credo.interop.forms import UploadForm
from credo.interop.models import ImportKind, ImportRun, ImportState

COUNT_COLUMNS = ("created", "updated", "deleted", "unchanged", "skipped")


@login_required
@school_page
def imports(request, school):
    require_importer(request.user, school)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_run_start(
                actor=request.user,
                school=school,
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                content=upload.read(),
                options={"framework": form.cleaned_data["framework"]},
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {"file": exc.error_list}).items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e.messages[0])
        else:
            return redirect(run)
    runs = (
        ImportRun.objects.filter(school=school)
        .select_related("created_by", "applied_by")
        .defer("content")
        .order_by("-created_at", "-id")[:25]
    )
    frameworks = Framework.objects.filter(school=school).order_by("kind", "name")
    return page(
        request, "interop/imports.html", {"form": form, "runs": runs, "frameworks": frameworks}
    )


def _rows(summary: dict) -> list[tuple[str, list[int]]]:
    return [
        (kind.replace("_", " "), [counts.get(c, 0) for c in COUNT_COLUMNS])
        for kind, counts in summary.get("counts", {}).items()
    ]


@login_required
@school_page
def run_detail(request, school, run_id):
    """A run's preview, problems or outcome; while a background task works on it, its progress.

    htmx polls the progress block every second; once the task has finished, the poll asks the
    browser to load the whole page again.
    """
    run = access_import_run(user=request.user, school=school, run_id=run_id)
    if request.headers.get("HX-Request"):
        if not run.working:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return page(request, "interop/_progress.html", _progress_context(run))
    return page(
        request,
        "interop/run.html",
        {
            "run": run,
            "rows": _rows(run.summary),
            "columns": COUNT_COLUMNS,
            "problems": run.problems[:2000],
            "more": max(0, len(run.problems) - 2000),
            **(_progress_context(run) if run.working else {}),
        },
    )


STAGES = {
    "reading": "Reading and checking every row",
    "writing": "Comparing with what the school holds",
    "recomputing": "Recomputing mastery",
}
WAITING_FOR_WORKER = 20  # seconds in the queue before the page says the worker may not be running


def _progress_context(run) -> dict:
    from credo.interop.progress import read

    stage = read(run.pk) or {}
    raw = str(stage.get("stage", ""))
    school_part, _, name = raw.rpartition(": ")
    label = STAGES.get(name, name.capitalize())
    if school_part:
        label = f"{label} ({school_part})"
    done, total = int(stage.get("done", 0)), int(stage.get("total", 0))
    waiting = run.started_at is None
    queued = run.queued_at or run.created_at
    stalled = waiting and (timezone.now() - queued).total_seconds() > WAITING_FOR_WORKER
    return {
        "run": run,
        "stage": label,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "waiting": waiting,
        "stalled": stalled,
        "lost": services.import_run_lost(run),
    }


@login_required
@school_page
@require_POST
def run_confirm(request, school, run_id):
    run = access_import_run(user=request.user, school=school, run_id=run_id)
    try:
        run = services.import_run_confirm(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(run)
    if run.state == ImportState.APPLIED:
        messages.success(
            request,
            gettext("Imported %(file)s: %(n)s record(s) changed.")
            % {"file": run.filename, "n": run.summary.get("changed", 0)},
        )
    elif run.state == ImportState.REFUSED:
        messages.error(
            request,
            gettext("%(file)s could not be imported; nothing was changed. See the problems below.")
            % {"file": run.filename},
        )
    elif run.state == ImportState.FAILED:
        messages.error(
            request,
            gettext("%(file)s could not be imported; nothing was changed (%(error)s).")
            % {"file": run.filename, "error": run.error},
        )
    return redirect(run)


@login_required
@school_page
@require_POST
def run_retry(request, school, run_id):
    """Check or import again a file whose run stopped with an error or whose worker died."""
    run = access_import_run(user=request.user, school=school, run_id=run_id)
    try:
        run = services.import_run_retry(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(run)
    if run.state == ImportState.FAILED:
        messages.error(
            request,
            gettext("%(file)s stopped again; nothing was changed (%(error)s).")
            % {"file": run.filename, "error": run.error},
        )
    elif not run.working:
        messages.success(request, f"{run.filename}: {run.get_state_display().lower()}.")
    return redirect(run)


@login_required
@school_page
def export(request, school, kind):
    require_importer(request.user, school)
    try:
        if kind == ImportKind.SCORES:
            data, name, mime = exports.scores_csv(school), f"{school.slug}-scores.csv", "text/csv"
        elif kind == ImportKind.ONEROSTER:
            data, name, mime = (
                roster_export.roster_zip(school),
                f"{school.slug}-oneroster-1.2.zip",
                "application/zip",
            )
        else:
            framework = exports.framework_to_export(school, request.GET.get("framework") or None)
            if kind == ImportKind.CASE:
                data, name, mime = (
                    exports.case_json(framework),
                    f"{school.slug}-framework-{framework.pk}-case.json",
                    "application/json",
                )
            elif kind == ImportKind.CANVAS:
                data, _ = exports.canvas_csv(framework)
                name, mime = (
                    f"{school.slug}-framework-{framework.pk}-canvas-outcomes.csv",
                    "text/csv",
                )
            else:
                raise ValidationError("No such export.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("interop:imports", school.slug)
    charset = "" if mime == "application/zip" else "; charset=utf-8"
    response = HttpResponse(data, content_type=f"{mime}{charset}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
