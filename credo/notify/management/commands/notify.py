"""`credo notify digest --daily|--weekly`: send the notification digests (run it from cron).

    credo notify digest --daily     # each person's "once a day" notifications, in one e-mail
    credo notify digest --weekly    # guardians who asked for it: a summary of their students' week

Running either twice sends nothing twice: a daily digest carries only what has not been e-mailed,
and a guardian gets at most one weekly summary per school in six days.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from credo.notify import services


class Command(BaseCommand):
    help = "Send the daily or weekly notification digests (for cron)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{digest}")
        digest = sub.add_parser("digest", help="send the daily or the weekly digests")
        which = digest.add_mutually_exclusive_group(required=True)
        which.add_argument("--daily", action="store_true", help="the daily digests")
        which.add_argument("--weekly", action="store_true", help="the guardians' weekly summaries")

    def handle(self, *args, action, daily=False, weekly=False, **options):
        if daily:
            sent = services.digest_daily()
            self.stdout.write(f"Daily digests e-mailed: {sent}")
        else:
            sent = services.digest_weekly()
            self.stdout.write(f"Weekly summaries e-mailed: {sent}")
