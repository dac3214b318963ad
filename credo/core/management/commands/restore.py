import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from credo.core import backup
from credo.core.management.commands.backup import (
    configured_kek,
    passphrase_from,
    sources_from_settings,
)


class Command(BaseCommand):
    help = (
        "Restore a `credo backup` archive into an empty database (and empty media folders), check "
        "it against its manifest, then run `credo check`."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `credo backup`")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database and folders that are not empty (everything in them is lost)",
        )
        parser.add_argument(
            "--passphrase-file",
            help="file whose first line is the passphrase of the key-encryption key in the backup",
        )
        parser.add_argument(
            "--skip-key", action="store_true", help="do not restore the key-encryption key"
        )
        parser.add_argument(
            "--no-check", action="store_true", help="do not run `credo check` afterwards"
        )
        parser.add_argument(
            "--manifest",
            action="store_true",
            help="print the archive's manifest (without the file list) and restore nothing",
        )

    def handle(self, *args, path, replace=False, skip_key=False, no_check=False, **options):
        archive = Path(path)
        if options["manifest"]:
            try:
                manifest = backup.manifest_read(archive)
            except backup.BackupError as error:
                raise CommandError(str(error)) from None
            manifest = {k: v for k, v in manifest.items() if k != "files"}
            self.stdout.write(json.dumps(manifest, indent=2, sort_keys=True))
            return
        passphrase = None
        try:
            if not skip_key and (backup.manifest_read(archive).get("key")):
                passphrase = passphrase_from(options, confirm=False)
            started = time.perf_counter()
            for connection in connections.all():
                connection.close()
            report = backup.restore_backup(
                path=archive,
                sources=sources_from_settings(),
                replace=replace,
                passphrase=passphrase,
                skip_key=skip_key,
                configured_kek=configured_kek(),
                say=lambda text: self.stderr.write(text) if options["verbosity"] > 1 else None,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        manifest = report.manifest
        self.stdout.write(
            f"Restored {archive} (made {manifest['created_at']} by Credo "
            f"{manifest['credo_version']}) in {seconds:.1f} s: {report.tables} tables and "
            f"{report.rows} rows as in the manifest, {report.transcript_versions} transcript "
            f"versions whose content matches its hash, {report.media_files} media files and "
            f"{report.transcript_files} rendered transcripts checked against their checksums. "
            f"Key-encryption key: {report.key}."
        )
        if report.pending_migrations:
            self.stdout.write(
                f"This Credo has {len(report.pending_migrations)} migration(s) newer than the "
                f"backup ({', '.join(report.pending_migrations[:3])}): run `credo migrate` "
                "before serving."
            )
            return
        for connection in connections.all():
            connection.close()
        self._check_keys()
        if not no_check:
            self._check()

    def _check_keys(self) -> None:
        """Say whether this installation's KEK opens the restored schools' signing keys."""
        from credo.credentials import keys
        from credo.credentials.kek import clear_cache, kek_file, kek_source, key_encryption_key
        from credo.credentials.models import SchoolKey

        key = SchoolKey.objects.filter(retired_at__isnull=True).first()
        if key is None:
            return
        if not configured_kek() and not kek_file().exists():
            self.stderr.write(
                "Warning: this installation has no key-encryption key (CREDO_KEY_ENCRYPTION_KEY is "
                f"empty and {kek_file()} does not exist), so the schools' signing keys cannot be "
                "opened: restore with the key (a backup made with --include-key), or set "
                "CREDO_KEY_ENCRYPTION_KEY to the backed-up key."
            )
            return
        clear_cache()
        try:
            keys.decrypt_private_key(
                key.encrypted_private_key,
                key_encryption_key(),
                associated_data=key.associated_data(),
            )
        except (keys.KeyDecryptionError, Exception) as error:  # noqa: BLE001 -- reported, not fatal
            self.stderr.write(
                f"Warning: the key-encryption key from {kek_source()} does not open the schools' "
                f"signing keys ({error}). Credentials cannot be signed until the backed-up key is "
                "in place (restore with the key, or set CREDO_KEY_ENCRYPTION_KEY)."
            )
        else:
            self.stdout.write(f"The key-encryption key ({kek_source()}) opens the schools' keys.")

    def _check(self) -> None:
        from credo.mastery import bulk
        from credo.schools.models import School

        diffs = bulk.check(list(School.objects.order_by("id").values_list("id", flat=True)))
        if diffs:
            for d in diffs[:20]:
                self.stdout.write(str(d))
            self.stderr.write(f"check: {len(diffs)} differences after the restore")
            sys.exit(1)
        self.stdout.write(
            "check: 0 differences — every materialized row equals a fresh recomputation."
        )
