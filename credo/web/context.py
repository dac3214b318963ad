from django.conf import settings


def credo(request):
    """Template variables every page needs."""
    return {"credo_demo": settings.CREDO_DEMO, "credo_base_url": settings.CREDO_BASE_URL}
