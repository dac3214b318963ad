"""Admin views of transcripts: read-only. Publishing, sharing and withdrawing go through the app."""

from django.contrib import admin

from credo.transcripts.models import PublicationRun, ShareLink, ShareView, TranscriptVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows; never adds, changes or deletes them (writes go through the services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TranscriptVersion)
class TranscriptVersionAdmin(ReadOnlyAdmin):
    list_display = ("student", "number", "published_at", "published_by", "content_hash")
    list_filter = ("school",)
    search_fields = ("student__family_name", "student__given_name", "public_id", "content_hash")
    readonly_fields = [f.name for f in TranscriptVersion._meta.fields]
    actions = None


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnlyAdmin):
    list_display = ("student", "recipient", "version", "created_at", "expires_at", "revoked_at")
    list_filter = ("school",)
    exclude = ("token_hash",)  # of no use to read; the token itself is never stored
    actions = None


@admin.register(ShareView)
class ShareViewAdmin(ReadOnlyAdmin):
    list_display = ("link", "kind", "viewed_at")
    actions = None


@admin.register(PublicationRun)
class PublicationRunAdmin(ReadOnlyAdmin):
    list_display = ("school", "cohort", "status", "done", "failed", "total", "created_at")
    actions = None
