"""Backups: the database and the uploaded files in one dated archive, and its restore.

An archive `compact-tracker-YYYYMMDD-HHMMSS.tar` holds:

- `manifest.json`: when and from what it was made, the migrations applied, the row count
  of every table, and the SHA-256 of every other member;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (the
  embedded SQLite set-up, copied with SQLite's online backup API);
- `media/…`: the MEDIA_ROOT tree (evidence, plan documents, built reports).

On PostgreSQL the row counts are read in the very snapshot `pg_dump` dumps
(`pg_export_snapshot()` / `pg_dump --snapshot`), so they describe the dump exactly even
while people keep working. The files are read after the dump: a file is saved before the
row that names it commits, so every file the dump refers to is already there.

A restore checks everything it can before it writes anything: the members' names, every
checksum, that the target database has no tables and that MEDIA_ROOT holds no files. It
then restores the database in a single transaction, writes the files (never over an
existing one) and counts the rows of every table again against the manifest.

Errors the operator can fix (a bad argument, a missing tool, an unreachable or non-empty
database, a damaged archive) raise BackupError with `returncode` 2 and nothing written; a
failure after writing started has `returncode` 1.

This module belongs to the ground floor: it knows databases and files, not app models.
"""

from compact_tracker.backup.archive import (
    MANIFEST,
    BackupResult,
    RestoreResult,
    archive_read_manifest,
    backup_create,
    backup_restore,
    media_files,
)
from compact_tracker.backup.databases import BackupError, database_for, database_from_url

__all__ = [
    "MANIFEST",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "archive_read_manifest",
    "backup_create",
    "backup_restore",
    "database_for",
    "database_from_url",
    "media_files",
]
