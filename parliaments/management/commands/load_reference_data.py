"""manage.py load_reference_data [--dry-run]: load or refresh all reference data."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from commitments.services import commitments_reference_load
from parliaments.ratifications.services import ratifications_reference_load
from parliaments.services import parliaments_reference_load


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load the GCM objectives and principles, the Rabat commitments, the instruments, "
        "the reporting cycles, the IPU member parliaments and who is party to which "
        "instrument (Rabat §7(a)). Safe to run again: it changes "
        "nothing that is already up to date and keeps edits made in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change, write nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        results = []
        try:
            with transaction.atomic():
                results += commitments_reference_load()
                results += parliaments_reference_load()
                results += ratifications_reference_load()
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        except ValidationError as error:
            message = "; ".join(error.messages)
            raise CommandError(f"Reference data not loaded: {message}", returncode=2) from error
        except (DatabaseError, OSError, ValueError, KeyError) as error:
            raise CommandError(f"Reference data not loaded: {error}", returncode=2) from error
        for result in results:
            self.stdout.write(str(result))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
