from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "credo.transcripts"
    label = "transcripts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Mastery Transcripts"

    def ready(self):
        from credo.transcripts import guard

        guard.install()
