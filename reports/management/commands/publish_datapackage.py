"""manage.py publish_datapackage [--date YYYY-MM-DD]"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reports import datapackage


class Command(BaseCommand):
    help = (
        "Publish the whole published dataset as a Frictionless Data Package (what the "
        "nightly job does): datapackage.json and one CSV per table, kept under the date and "
        "served as the latest at /data/latest/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The date to file it under (default: today).")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date: not a date (YYYY-MM-DD): {options['date']!r}", returncode=2
                ) from None
        outcome = datapackage.build(day)
        rows = ", ".join(f"{name} {n}" for name, n in outcome["rows"].items())
        self.stdout.write(f"Data package of {outcome['day']}: {rows}")
