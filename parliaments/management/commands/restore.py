"""manage.py restore ARCHIVE [--database-url URL] [--media-root DIR]: restore a backup
into an empty database and an empty MEDIA_ROOT (see compact_tracker/backup.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from compact_tracker.backup import BackupError, backup_restore, database_from_url


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup`. Checks every checksum first, refuses "
        "a database that has tables or a MEDIA_ROOT that has files, then compares the row "
        "count of every table with the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A compact-tracker-YYYYMMDD-HHMMSS.tar file.")
        parser.add_argument(
            "--database-url",
            default="",
            help="Restore into this (empty) database instead of the one DATABASE_URL names.",
        )
        parser.add_argument(
            "--media-root",
            default="",
            help="Restore the files into this (empty) folder instead of MEDIA_ROOT.",
        )

    def handle(self, *args, archive, database_url, media_root, **options):
        # The migrations this code knows, read from disk (the target database is empty).
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        try:
            settings_dict = (
                database_from_url(database_url)
                if database_url
                else connections["default"].settings_dict
            )
            result = backup_restore(
                archive_path=archive,
                settings_dict=settings_dict,
                media_root=media_root or settings.MEDIA_ROOT,
                known_migrations=known,
            )
        except BackupError as error:
            raise CommandError(str(error), returncode=error.returncode) from None
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Restored the backup of {result.manifest['created_at']}: {result.tables} tables "
            f"({result.rows} rows, each table's count as in the manifest) and "
            f"{result.media_files} files ({result.media_bytes} bytes, checksums verified) "
            f"in {result.seconds:.1f} s."
        )
        self.stdout.write("Next: manage.py migrate (if this code is newer), then start the app.")
