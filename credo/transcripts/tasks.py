"""Background work for transcripts (django-tasks; `credo serve` runs the worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def publish_run(run_id: int) -> dict:
    """Publish every transcript of a publication run; return its counts."""
    from credo.transcripts.services import publication_run_execute

    run = publication_run_execute(run_id)
    return {"run": run.pk, "done": run.done, "failed": run.failed, "status": run.status}


@task()
def render_version_pdf(version_id: int) -> str:
    """Render and keep the PDF of a newly published version; return where it is."""
    from credo.transcripts.models import TranscriptVersion
    from credo.transcripts.pdf import store_pdf

    version = TranscriptVersion.objects.select_related("student").get(pk=version_id)
    return str(store_pdf(version))
