"""The `credo` command: every subcommand is a Django management command of this project."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run `credo SUBCOMMAND ...` with Credo's settings and return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if not argv:
        argv = ["help"]
    try:
        execute_from_command_line(["credo", *argv])
    except SystemExit as exc:  # management commands exit with their own status
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
