"""manage.py rebuild_figures [--check] [--parliament ISO2 ...]"""

from django.core.management.base import BaseCommand, CommandError

from parliaments.models import Parliament
from reports.figures import figures_differences, figures_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' per-parliament figures from the rows. With --check, "
        "list every figure that differs (exit 1 when any) and write nothing; otherwise "
        "rewrite them and list what was fixed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report only; write nothing.")
        parser.add_argument(
            "--parliament",
            action="append",
            default=[],
            metavar="ISO2",
            help="Only this parliament (repeatable); all by default.",
        )

    def handle(self, *args, **options):
        ids = None
        if options["parliament"]:
            codes = {code.upper() for code in options["parliament"]}
            found = dict(Parliament.objects.filter(iso2__in=codes).values_list("iso2", "pk"))
            unknown = sorted(codes - set(found))
            if unknown:
                raise CommandError(f"No parliament {', '.join(unknown)}.", returncode=2)
            ids = list(found.values())
        differences = figures_differences(ids)
        for line in differences:
            self.stdout.write(line)
        if options["check"]:
            if differences:
                raise CommandError(
                    f"{len(differences)} figure(s) differ from the rows.", returncode=1
                )
            self.stdout.write("The figures match the rows.")
            return
        figures_rebuild(ids)
        self.stdout.write(f"Rebuilt the figures; fixed {len(differences)} difference(s).")
