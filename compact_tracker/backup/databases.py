"""The databases a backup reads and a restore writes: PostgreSQL (pg_dump and pg_restore,
in custom format, row counts from the dump's own snapshot) and the embedded SQLite file
(SQLite's online backup API)."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url

PG_DUMP_MEMBER = "database.dump"
SQLITE_MEMBER = "database.sqlite3"
CONNECT_TIMEOUT = 10


class BackupError(Exception):
    def __init__(self, message, returncode=2):
        super().__init__(message)
        self.returncode = returncode


def database_from_url(url):
    """Connection settings (Django's settings_dict shape) from a DATABASE_URL."""
    try:
        return dj_database_url.parse(url)
    except ValueError as error:
        raise BackupError(f"Not a database URL: {error}") from None


def database_for(settings_dict):
    engine = settings_dict.get("ENGINE", "")
    if engine.endswith("postgresql"):
        return PostgresDatabase(settings_dict)
    if engine.endswith("sqlite3"):
        return SqliteDatabase(settings_dict)
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine or 'this database'}.")


class PostgresDatabase:
    engine = "postgresql"
    member = PG_DUMP_MEMBER

    def __init__(self, settings_dict):
        self.name = settings_dict.get("NAME") or ""
        self.user = settings_dict.get("USER") or ""
        self.password = settings_dict.get("PASSWORD") or ""
        self.host = settings_dict.get("HOST") or ""
        self.port = str(settings_dict.get("PORT") or "")
        self.options = dict(settings_dict.get("OPTIONS") or {})
        if not self.name:
            raise BackupError("The database URL names no database.")

    def __str__(self):
        return f"PostgreSQL database {self.name!r} on {self.host or 'the local socket'}"

    def connect(self):
        import psycopg2

        params = {
            "dbname": self.name,
            "user": self.user or None,
            "password": self.password or None,
            "host": self.host or None,
            "port": self.port or None,
            "connect_timeout": CONNECT_TIMEOUT,
        }
        if "sslmode" in self.options:
            params["sslmode"] = self.options["sslmode"]
        try:
            return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
        except psycopg2.OperationalError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
            raise BackupError(f"Cannot connect to {self}: {reason}") from None

    def client_env(self):
        """libpq's variables for pg_dump and pg_restore: the password never appears on a
        command line, where `ps` would show it to every user of the machine."""
        env = dict(os.environ)
        for name, value in {
            "PGDATABASE": self.name,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGSSLMODE": self.options.get("sslmode", ""),
            "PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        }.items():
            if value:
                env[name] = value
            else:
                env.pop(name, None)
        return env

    @staticmethod
    def _tool(name):
        path = shutil.which(name)
        if path is None:
            raise BackupError(
                f"{name} not found: install the PostgreSQL client tools "
                "(Debian: apt-get install postgresql-client)."
            )
        output = subprocess.run(  # noqa: S603 - our own arguments
            [path, "--version"], capture_output=True, text=True, check=False
        ).stdout
        match = re.search(r"(\d+)(?:\.(\d+))?", output)
        major = int(match.group(1)) if match else 0
        return path, major, output.strip()

    @staticmethod
    def _tables(cursor):
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
        return [row[0] for row in cursor.fetchall()]

    def _counts(self, cursor):
        from psycopg2 import sql

        counts = {}
        for table in self._tables(cursor):
            cursor.execute(sql.SQL("SELECT count(*) FROM public.{}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
        return counts

    def dump(self, path):
        """Dump to `path`; return (row counts, migrations, details), all of one snapshot."""
        pg_dump, dump_major, dump_version = self._tool("pg_dump")
        connection = self.connect()
        try:
            server_major = connection.server_version // 10000
            if dump_major < server_major:
                raise BackupError(
                    f"{dump_version} cannot dump a PostgreSQL {server_major} server: "
                    f"install postgresql-client-{server_major} or later."
                )
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cursor.fetchone()
                counts = self._counts(cursor)
                migrations = {}
                if "django_migrations" in counts:
                    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                    for app, name in cursor.fetchall():
                        migrations.setdefault(app, []).append(name)
                # The exported snapshot lives as long as this transaction: dump it now.
                result = subprocess.run(  # noqa: S603 - our own arguments
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-password",
                        f"--snapshot={snapshot}",
                        f"--file={path}",
                    ],
                    env=self.client_env(),
                    capture_output=True,
                    text=True,
                    check=False,
                )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {_first_line(result.stderr)}", returncode=1)
        finally:
            connection.close()
        details = {"server_version": server_version, "pg_dump": dump_version}
        return counts, migrations, details

    def check_empty(self):
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT n.nspname, c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%' "
                    "ORDER BY 1, 2"
                )
                relations = cursor.fetchall()
        finally:
            connection.close()
        if relations:
            raise BackupError(
                f"{self} is not empty ({len(relations)} tables and other relations, e.g. "
                f"{relations[0][1]}): restore only into a new, empty database."
            )

    def restore(self, path):
        pg_restore, _major, _version = self._tool("pg_restore")
        result = subprocess.run(  # noqa: S603 - our own arguments
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                f"--dbname={self.name}",
                str(path),
            ],
            env=self.client_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(
                f"pg_restore failed, nothing was restored: {_first_line(result.stderr)}",
                returncode=1,
            )

    def row_counts(self):
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                return self._counts(cursor)
        finally:
            connection.close()


class SqliteDatabase:
    """The embedded set-up: the database is one file, copied with the online backup API
    (a consistent copy even while the app writes)."""

    engine = "sqlite"
    member = SQLITE_MEMBER

    def __init__(self, settings_dict):
        name = str(settings_dict.get("NAME") or "")
        if not name or name == ":memory:" or name.startswith("file:"):
            raise BackupError(f"Cannot back up the SQLite database {name or '(none)'!r}.")
        self.path = Path(name)

    def __str__(self):
        return f"SQLite database {self.path}"

    @staticmethod
    def _counts(connection):
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }

    def dump(self, path):
        if not self.path.is_file():
            raise BackupError(f"{self} does not exist.")
        source = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        copy = sqlite3.connect(path)
        try:
            source.backup(copy)
            counts = self._counts(copy)
            migrations = {}
            if "django_migrations" in counts:
                for app, name in copy.execute(
                    "SELECT app, name FROM django_migrations ORDER BY app, name"
                ):
                    migrations.setdefault(app, []).append(name)
        except sqlite3.Error as error:
            raise BackupError(f"Cannot read {self}: {error}") from None
        finally:
            copy.close()
            source.close()
        return counts, migrations, {"sqlite_version": sqlite3.sqlite_version}

    def check_empty(self):
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            tables = self._counts(connection)
        except sqlite3.Error as error:
            raise BackupError(f"Cannot read {self}: {error}") from None
        finally:
            connection.close()
        if tables:
            raise BackupError(
                f"{self} is not empty ({len(tables)} tables): restore only into a new, "
                "empty database (move the file away first)."
            )

    def restore(self, path):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(self.path)
        try:
            source.backup(target)
        except sqlite3.Error as error:
            raise BackupError(f"Restoring {self} failed: {error}", returncode=1) from None
        finally:
            target.close()
            source.close()

    def row_counts(self):
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            return self._counts(connection)
        finally:
            connection.close()


def _first_line(text):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[0] if lines else "no message"
