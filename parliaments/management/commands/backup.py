"""manage.py backup [--output DIR] [--database-url URL]: the database and the uploaded
files in one dated archive (see compact_tracker/backup.py and the README, Backups)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from compact_tracker.backup import BackupError, backup_create, database_from_url


class Command(BaseCommand):
    help = (
        "Write compact-tracker-YYYYMMDD-HHMMSS.tar: a pg_dump in custom format (or a copy of "
        "the SQLite file), the MEDIA_ROOT files and a manifest with row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "var" / "backups"),
            help="Folder the archive is written to (created if missing). Default: var/backups.",
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="Back up this database instead of the one DATABASE_URL names.",
        )

    def handle(self, *args, output, database_url, **options):
        try:
            settings_dict = (
                database_from_url(database_url)
                if database_url
                else connections["default"].settings_dict
            )
            result = backup_create(
                settings_dict=settings_dict,
                media_root=settings.MEDIA_ROOT,
                output_dir=output,
                base_dir=settings.BASE_DIR,
            )
        except BackupError as error:
            raise CommandError(str(error), returncode=error.returncode) from None
        manifest = result.manifest
        media_bytes = sum(entry["bytes"] for entry in manifest["media"])
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({result.rows} rows) and "
            f"{len(manifest['media'])} files ({media_bytes} bytes) in {result.seconds:.1f} s."
        )
        self.stdout.write(str(result.path))
