import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from credo.credentials.verification import (
    UnreadableDocument,
    describe,
    parse_document,
    verify_document,
)

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Verify an Open Badges 3.0 or CLR 2.0 credential offline: every proof (outer and "
        "nested), the schema, the validity dates and, for credentials this installation "
        "issued, whether it is current, superseded or revoked. Exit 0 valid, 1 invalid, "
        "2 unreadable. FILE may be - for standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the credential (JSON), or - for stdin")
        parser.add_argument("--json", action="store_true", help="print the checks as JSON")

    def handle(self, *args, **options):
        name = options["file"]
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            document = parse_document(data)
        except (OSError, UnreadableDocument) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            self.stderr.write(f"{name}: unreadable: {reason}")
            sys.exit(EXIT_UNREADABLE)
        report = verify_document(document)
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(describe(report)))
        if not report.valid:
            sys.exit(EXIT_INVALID)
