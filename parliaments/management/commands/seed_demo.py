"""manage.py seed_demo: demo accounts and data for the embedded set-up (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parliaments.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create demo accounts (password “rabat-2018-demo”) and plans, actions, progress and "
        "submissions for a dozen parliaments. Runs once; a second run changes nothing. "
        "Refuses to run with DEBUG off: the demo password must never reach production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even with DEBUG off (throwaway test environments only).",
        )

    def handle(self, *args, allow_without_debug=False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DEBUG=1.",
                returncode=2,
            )
        if not seed_demo():
            self.stdout.write("Demo data already present: nothing changed.")
            return
        accounts = ", ".join(username for username, *_rest in ACCOUNTS)
        self.stdout.write(f"Demo data created. Accounts ({DEMO_PASSWORD}): {accounts}.")
