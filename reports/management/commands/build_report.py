"""manage.py build_report --cycle C --scope global|region|parliament [--region R |
--parliament ISO2] [--internal] --language en|fr --formats pdf,xlsx,csv,json [--wait]

manage.py build_report --profile --parliament ISO2 [--internal] [--language fr] [--wait]:
a parliament's country profile (PDF, HTML and JSON)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commitments.models import Cycle
from parliaments.models import Parliament, Region
from reports import services
from reports.models import Report


class Command(BaseCommand):
    help = (
        "Queue a cycle report or a country profile; with --wait, block until it is built "
        "and print its files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", default="", help="Cycle code, e.g. 2021-progress.")
        parser.add_argument("--scope", default="", choices=["", *Report.Scope.values])
        parser.add_argument(
            "--profile",
            action="store_true",
            help="A parliament's country profile (with --parliament) instead of a cycle report.",
        )
        parser.add_argument(
            "--region", default="", help="For --scope region: " + ", ".join(Region.values)
        )
        parser.add_argument("--parliament", default="", help="For --scope parliament: ISO alpha-2.")
        parser.add_argument(
            "--internal", action="store_true", help="A parliament's own report with drafts."
        )
        parser.add_argument(
            "--language", default="en", choices=[code for code, _name in settings.LANGUAGES]
        )
        parser.add_argument(
            "--formats",
            default="pdf,xlsx,csv,json",
            help="Comma-separated: html,pdf,xlsx,csv,json.",
        )
        parser.add_argument("--wait", action="store_true", help="Wait for the build to finish.")
        parser.add_argument("--timeout", type=int, default=1800, help="Seconds to wait at most.")

    def handle(self, *args, **options):
        cycle = None
        if options["profile"]:
            if not options["parliament"]:
                raise CommandError("A country profile needs --parliament.", returncode=2)
        elif not options["cycle"] or not options["scope"]:
            raise CommandError("A cycle report needs --cycle and --scope.", returncode=2)
        else:
            cycle = Cycle.objects.filter(code=options["cycle"]).first()
            if cycle is None:
                raise CommandError(f"No cycle {options['cycle']!r}.", returncode=2)
        parliament = None
        if options["parliament"]:
            parliament = Parliament.objects.filter(iso2=options["parliament"].upper()).first()
            if parliament is None:
                raise CommandError(f"No parliament {options['parliament']!r}.", returncode=2)
        if options["region"] and options["region"] not in Region.values:
            raise CommandError(f"No region {options['region']!r}.", returncode=2)
        formats = [f.strip() for f in options["formats"].split(",") if f.strip()]
        try:
            if options["profile"]:
                report, created = services.profile_request(
                    actor=None,
                    parliament=parliament,
                    internal=options["internal"],
                    language=options["language"],
                )
            else:
                report, created = services.report_request(
                    actor=None,
                    cycle=cycle,
                    scope=options["scope"],
                    region=options["region"],
                    parliament=parliament,
                    internal=options["internal"],
                    language=options["language"],
                    formats=formats,
                )
        except (services.ReportError, ValueError) as error:
            raise CommandError(str(error), returncode=2) from error
        except Exception as error:  # a model validation error: scope and fields disagree
            messages = getattr(error, "messages", [str(error)])
            raise CommandError(" ".join(messages), returncode=2) from error
        verb = "Queued" if created else "Reusing"
        self.stdout.write(f"{verb} report {report.pk} ({report}).")
        if not options["wait"]:
            return
        deadline = time.monotonic() + options["timeout"]
        while True:
            report.refresh_from_db()
            if report.status == Report.Status.SUCCEEDED:
                for file in report.files.order_by("format"):
                    self.stdout.write(file.file.path)
                return
            if report.status == Report.Status.FAILED:
                raise CommandError(f"Report {report.pk} failed: {report.error}", returncode=1)
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Report {report.pk} not finished after {options['timeout']} s.", returncode=1
                )
            time.sleep(0.5)
