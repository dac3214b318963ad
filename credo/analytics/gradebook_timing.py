"""Time the largest gradebook of the loaded demo through Django's test client.

    python -m credo.analytics.gradebook_timing [REQUESTS]

The largest gradebook is the section with the most students × aligned academic targets. After a
warm-up request, REQUESTS (default 11) are timed; prints the median wall-clock and CPU time, the
number of queries of one render and the page's size. Reads only (a GET never writes).
"""

from __future__ import annotations

import os
import statistics
import sys
import time


def main(requests: int = 11) -> str:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from credo.accounts.models import Membership, Role
    from credo.schools.models import Section

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    best = None
    for sec in Section.objects.select_related("school", "experience"):
        students = sec.enrollments.count()
        targets = sec.experience.alignments.filter(competency__framework__kind="academic").count()
        if best is None or students * targets > best[0]:
            best = (students * targets, sec, students, targets)
    if best is None:
        return "No sections: load the demo first (credo demo --no-serve)."
    _, sec, students, targets = best
    admin = Membership.objects.filter(school=sec.school, role=Role.ADMIN).select_related("user")[0]
    client = Client()
    client.force_login(admin.user)
    url = f"/s/{sec.school.slug}/sections/{sec.pk}/"
    client.get(url)
    wall, cpu = [], []
    for _ in range(requests):
        t, p = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - p)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return (
        f"{sec.school.slug} section {sec.pk} ({students} students x {targets} targets): "
        f"median {statistics.median(wall) * 1000:.0f} ms wall, "
        f"{statistics.median(cpu) * 1000:.0f} ms CPU over {requests} requests; "
        f"{len(queries)} queries; {len(response.content) // 1024} KB"
    )


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 11))
