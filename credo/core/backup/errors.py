"""The one error of backups and restores."""


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""
