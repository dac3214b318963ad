"""Credo's URLs with the Django admin mounted, as CREDO_ADMIN=1 mounts it (for tests)."""

from django.contrib import admin
from django.urls import path

from config.urls import urlpatterns as credo_urlpatterns

urlpatterns = [path("admin/", admin.site.urls), *credo_urlpatterns]
