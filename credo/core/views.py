from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from credo.core.health import health_report


@never_cache
@require_safe
def healthz(request):
    """For monitoring: 200 when the database answers and a task worker is alive, else 503.

    The body says which part is down, the worker's last heartbeat and the queue's depth; it names
    no school and no person, so it needs no sign-in.
    """
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
