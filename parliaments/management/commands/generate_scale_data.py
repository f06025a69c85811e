"""manage.py generate_scale_data --parliaments N --actions-per-plan M --updates-per-action K
--seed S [--json]: deterministic scale data for benchmarks (parliaments/scale.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from parliaments import scale


class Command(BaseCommand):
    help = (
        "Fill an empty workspace with deterministic scale data: the real IPU member "
        "parliaments first, synthetic ones (X0001 …) past them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parliaments", type=int, required=True)
        parser.add_argument("--actions-per-plan", type=int, required=True)
        parser.add_argument("--updates-per-action", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument(
            "--json", action="store_true", help="Print the figures as one JSON object."
        )

    def handle(self, *args, **options):
        def progress(done, total):
            if options["verbosity"] > 1:
                self.stderr.write(f"{done}/{total} parliaments")

        try:
            result = scale.generate(
                parliaments=options["parliaments"],
                actions_per_plan=options["actions_per_plan"],
                updates_per_action=options["updates_per_action"],
                seed=options["seed"],
                progress=progress,
            )
        except scale.ScaleDataError as error:
            raise CommandError(str(error), returncode=2) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "rows": result.rows,
                        "total_rows": result.total,
                        "seconds": round(result.seconds, 2),
                        "rows_per_second": round(result.rows_per_second),
                    }
                )
            )
            return
        for table, count in sorted(result.rows.items()):
            self.stdout.write(f"{table:40} {count:>10,}")
        self.stdout.write(
            f"{result.total:,} rows in {result.seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s)"
        )
