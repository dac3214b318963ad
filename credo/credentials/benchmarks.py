"""The ``credentials`` section of ``credo bench``: sign and verify what Credo really issues.

On the synthetic district (after the bulk recompute, so awards exist), the students with the
most credits publish their transcripts; for each, the CLR is issued as publication would issue
it — every earned credit signed as an Open Badges 3.0 credential, then the CLR around them —
and timed. The credit credentials so made are then signed again and verified in batches to
give throughputs, and each CLR is verified in full (every proof, the schema, this
installation's keys and records).
"""

from __future__ import annotations

import statistics
import time

from credo.accounts.access import system_actor
from credo.analytics.bench import Bench, Metric, section

SAMPLE_STUDENTS = 20


@section(
    "credentials",
    "Verifiable credentials (Open Badges 3.0, CLR 2.0, eddsa-rdfc-2022)",
    [
        Metric("credentials_sign_per_s", "sign a credit credential", "/s"),
        Metric("credentials_verify_per_s", "verify a credit credential, every check", "/s"),
        Metric("clr_transcripts", "CLR transcripts issued"),
        Metric("clr_credits_mean", "credit credentials per CLR, mean"),
        Metric("clr_issue_s_each", "issue a CLR transcript (sign, store), median", "s"),
        Metric("clr_verify_s_each", "verify a CLR transcript in full, median", "s"),
        # CPU time of this process: the fair figures when other work shares the machine.
        Metric("credentials_sign_per_cpu_s", "sign a credit credential, per CPU second", "/s"),
        Metric("credentials_verify_per_cpu_s", "verify a credit credential, per CPU second", "/s"),
        Metric("clr_issue_cpu_s_each", "issue a CLR transcript, CPU time, median", "s"),
        Metric("clr_verify_cpu_s_each", "verify a CLR transcript, CPU time, median", "s"),
    ],
)
def credentials_section(bench: Bench) -> dict:
    return measure(bench)


def measure(bench: Bench, *, sample: int = SAMPLE_STUDENTS) -> dict:
    """Issue, sign and verify on the district; return the figures."""
    from django.db.models import Count
    from django.utils import timezone

    from credo.accounts.models import Student
    from credo.credentials import proofs, selectors, services
    from credo.credentials.verification import verify_document
    from credo.credentials.verify import verify_credential
    from credo.mastery.models import CreditAward
    from credo.transcripts.services import transcript_publish, version_published

    bench.materialize()
    ranked = list(
        CreditAward.objects.filter(school_id__in=bench.school_ids, revoked_at__isnull=True)
        .values("student_id")
        .annotate(n=Count("id"))
        .order_by("-n", "student_id")
        .values_list("student_id", flat=True)[:sample]
    )
    students = list(Student.objects.filter(pk__in=ranked).select_related("school").order_by("pk"))
    bench.say(f"credentials: issuing the CLR transcripts of {len(students)} students")
    # Issued here and timed, not by the background task publication would queue.
    version_published.disconnect(dispatch_uid="credo.credentials.clr")
    try:
        versions = [
            transcript_publish(actor=system_actor(), student=s, force=True).version
            for s in students
        ]
    finally:
        from credo.credentials.signals import connect

        connect()
    issue_s, issue_cpu, clrs = [], [], []
    for version in versions:
        t, c = time.perf_counter(), time.process_time()
        clrs.append(services.transcript_credential_issue(actor=system_actor(), version=version))
        issue_s.append(time.perf_counter() - t)
        issue_cpu.append(time.process_time() - c)
    credits = [c for clr in clrs for c in clr.document["credentialSubject"]["verifiableCredential"]]
    if not credits:
        return {"clr_transcripts": 0}

    bench.say(f"credentials: signing and verifying {len(credits)} credit credentials")
    signing = {}
    for clr in clrs:
        if clr.school_id not in signing:
            signing[clr.school_id] = services._signing_material(
                actor=system_actor(), school=clr.student.school
            )
    method = {
        clr.school_id: f"{selectors.issuer_url(clr.student.school)}#"
        f"{signing[clr.school_id][0].public_key_multibase}"
        for clr in clrs
    }
    owners = [
        clr.school_id
        for clr in clrs
        for _ in clr.document["credentialSubject"]["verifiableCredential"]
    ]
    bare = [proofs.unsecured(c) for c in credits]
    now = timezone.now()
    sign_rates, verify_rates, sign_cpu, verify_cpu = [], [], [], []
    for _ in range(max(1, min(bench.repeat, 3))):
        t, c = time.perf_counter(), time.process_time()
        for document, school_id in zip(bare, owners, strict=True):
            proofs.sign(document, signing[school_id][1], method[school_id], now)
        sign_rates.append(len(bare) / (time.perf_counter() - t))
        sign_cpu.append(len(bare) / max(time.process_time() - c, 1e-9))
        t, c = time.perf_counter(), time.process_time()
        for document in credits:
            result = verify_credential(
                document, now=now, key_resolver=selectors.installation_key_resolver
            )
            if not result.valid:
                raise AssertionError(f"an issued credential failed to verify: {result.failures}")
        verify_rates.append(len(credits) / (time.perf_counter() - t))
        verify_cpu.append(len(credits) / max(time.process_time() - c, 1e-9))
    verify_s, verify_cpu_s = [], []
    for clr in clrs:
        t, c = time.perf_counter(), time.process_time()
        report = verify_document(clr.document, now=now)
        verify_s.append(time.perf_counter() - t)
        verify_cpu_s.append(time.process_time() - c)
        if not report.valid:
            raise AssertionError(f"an issued CLR failed to verify: {report.result.failures}")
    return {
        "credentials_sign_per_s": statistics.median(sign_rates),
        "credentials_verify_per_s": statistics.median(verify_rates),
        "credentials_measured": len(credits),
        "clr_transcripts": len(clrs),
        "clr_credits_mean": len(credits) / len(clrs),
        "clr_issue_s_each": statistics.median(issue_s),
        "clr_issue_s_max": max(issue_s),
        "clr_verify_s_each": statistics.median(verify_s),
        "credentials_sign_per_cpu_s": statistics.median(sign_cpu),
        "credentials_verify_per_cpu_s": statistics.median(verify_cpu),
        "clr_issue_cpu_s_each": statistics.median(issue_cpu),
        "clr_verify_cpu_s_each": statistics.median(verify_cpu_s),
    }
