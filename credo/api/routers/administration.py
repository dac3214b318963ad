"""The API's administration router: restricted records and imports (the admin scope)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import File, Form, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from credo.api.models import Scope
from credo.api.routers.common import _school
from credo.api.schemas import ERRORS, DemographicsOut, ImportOut
from credo.core.errors import NotAllowed
from credo.core.limits import check_upload

router = Router()


@router.get(
    "/schools/{slug}/students/{student_id}/demographics",
    response={200: DemographicsOut, **ERRORS},
    tags=["administration"],
    summary="Restricted: a student's demographic record (admins, registrars)",
)
def demographics(request, slug: str, student_id: int):
    from credo.interop.access import access_demographics

    school = _school(request, slug, Scope.ADMIN)
    d = access_demographics(user=request.user, student_id=student_id, school=school)
    return {
        f.name if f.name != "student" else "student_id": getattr(d, f.attname)
        for f in d._meta.concrete_fields
        if f.name not in ("id", "school", "source_id")
    }


@router.post(
    "/schools/{slug}/imports/{kind}",
    response={200: ImportOut, **ERRORS},
    tags=["administration"],
    summary="Import a file (OneRoster zip, CASE JSON, Canvas or scores CSV); all or nothing",
)
def import_file(
    request,
    slug: str,
    kind: str,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    framework: Form[str] = "",
):
    from credo.interop.common import ImportRefused
    from credo.interop.models import ImportKind
    from credo.interop.services import import_data

    school = _school(request, slug, Scope.ADMIN)
    if kind not in ImportKind.values:
        raise Http404(f"No import of kind “{kind}”; the kinds are {', '.join(ImportKind.values)}.")
    try:
        check_upload(file)
    except DjangoValidationError as exc:
        raise HttpError(413, exc.message_dict["file"][0]) from None
    try:
        summary = import_data(
            actor=request.user,
            school=school,
            kind=kind,
            data=file.read(),
            filename=file.name or kind,
            dry_run=dry_run,
            options={"framework": framework},
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ImportRefused as exc:
        return {"state": "refused", "summary": {}, "problems": [p.as_dict() for p in exc.problems]}
    return {
        "state": "dry_run" if dry_run else "applied",
        "summary": summary.as_dict(),
        "problems": [],
    }
