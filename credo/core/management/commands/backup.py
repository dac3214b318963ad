import datetime as dt
import getpass
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from credo.core import backup


def sources_from_settings(*, include_key: bool = False) -> backup.Sources:
    """Return what this installation backs up: its database, media, rendered transcripts, var/."""
    from credo.transcripts.pdf import cache_dir

    kek_text = None
    if include_key:
        kek_text = configured_kek() or _kek_file_text()
    return backup.Sources(
        database=settings.DATABASES["default"],
        media=Path(settings.MEDIA_ROOT),
        transcripts=cache_dir(),
        var=Path(settings.VAR_DIR),
        kek_text=kek_text,
    )


def configured_kek() -> str:
    return (getattr(settings, "CREDO_KEY_ENCRYPTION_KEY", "") or "").strip()


def _kek_file_text() -> str:
    from credo.credentials.kek import kek_file, key_encryption_key

    path = kek_file()
    if not path.exists():
        raise CommandError(
            f"--include-key: there is no key-encryption key yet ({path} does not exist and "
            "CREDO_KEY_ENCRYPTION_KEY is empty)."
        )
    key_encryption_key()  # refuses a key file others may read, or a damaged one
    return path.read_text("ascii").strip()


def passphrase_from(options, *, confirm: bool) -> str | None:
    """Return the passphrase from --passphrase-file, CREDO_BACKUP_PASSPHRASE or a prompt (a terminal only)."""
    try:
        passphrase = backup.read_passphrase(file=options.get("passphrase_file"))
    except backup.BackupError as error:
        raise CommandError(str(error)) from None
    if passphrase or not sys.stdin.isatty():
        return passphrase
    passphrase = getpass.getpass("Passphrase for the key-encryption key: ")
    if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
        raise CommandError("The two passphrases differ.")
    return passphrase


class Command(BaseCommand):
    help = (
        "Write one archive with the database (SQLite online backup or pg_dump), the uploaded files "
        "and rendered transcripts, and a manifest that `credo restore` checks."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            required=True,
            help="the archive to write, or a folder to write credo-backup-<UTC time>.tar.gz into",
        )
        parser.add_argument(
            "--include-key",
            action="store_true",
            help="also back up the key-encryption key, sealed with a passphrase",
        )
        parser.add_argument(
            "--passphrase-file",
            help="file whose first line is the passphrase (else CREDO_BACKUP_PASSPHRASE, else a prompt)",
        )

    def handle(self, *args, out, include_key=False, **options):
        target = Path(out)
        if target.is_dir():
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            target = target / f"credo-backup-{stamp}.tar.gz"
        passphrase = passphrase_from(options, confirm=True) if include_key else None
        if include_key and not passphrase:
            raise CommandError(
                "--include-key needs a passphrase: --passphrase-file FILE or CREDO_BACKUP_PASSPHRASE."
            )
        started = time.perf_counter()
        try:
            manifest = backup.backup_create(
                sources=sources_from_settings(include_key=include_key),
                out=target,
                passphrase=passphrase,
                say=lambda text: self.stderr.write(text) if options["verbosity"] > 1 else None,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        key = "the key-encryption key sealed with your passphrase" if include_key else "no key"
        self.stdout.write(
            f"Backed up to {target.resolve()} ({target.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s: "
            f"{manifest['database']['vendor']} database, {len(manifest['tables'])} tables, "
            f"{manifest['rows']} rows, {manifest['transcript_versions']['count']} transcript versions, "
            f"{manifest['media_files']} media files, {manifest['transcript_files']} rendered "
            f"transcripts, {key}."
        )
