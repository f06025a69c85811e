"""`manage.py backup` and `manage.py restore`: the restore drill CI runs on every change.

The demo data and a few uploaded files are backed up, restored into a new database and
a new MEDIA_ROOT, and compared table by table and file by file with plain queries and
plain hashing (not the code under test). A restore must refuse, with exit code 2 and
nothing written, a database that has tables, an archive whose checksums do not match and
an archive member that leads out of MEDIA_ROOT.
"""

import hashlib
import io
import json
import re
import sqlite3
import stat
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg2 import sql

EVIDENCE = {
    "evidence/2021/06/committee-minutes.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 2000,
    "evidence/2021/06/hearing photo é.png": b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 5000,
    "plans/2019/plan-of-action.odt": b"PK\x03\x04 plan of action, adopted 12 December 2019",
}


def _url(settings_dict, name):
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _connect(settings_dict, name):
    return psycopg2.connect(
        dbname=name,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
    )


def _row_counts(name):
    """count(*) of every table in the public schema, read from information_schema."""
    db = _connect(connection.settings_dict, name)
    try:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            counts = {}
            for (table,) in cursor.fetchall():
                cursor.execute(
                    sql.SQL("SELECT count(*) FROM public.{}").format(sql.Identifier(table))
                )
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        db.close()


def _checksums(root):
    root = Path(root)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _restore(archive, url, media_root):
    out = io.StringIO()
    call_command(
        "restore",
        str(archive),
        "--database-url",
        url,
        "--media-root",
        str(media_root),
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def _rewrite(archive, destination, *, replace=None, extra=None):
    """A copy of `archive` with some members' bytes replaced or extra members added."""
    replace = replace or {}
    with tarfile.open(archive) as source, tarfile.open(destination, "w") as target:
        for member in source.getmembers():
            data = replace.get(member.name, source.extractfile(member).read())
            if callable(data):
                data = data(source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return destination


@pytest.fixture
def fresh_database(shared_test_database):
    """A new, empty PostgreSQL database next to the test database, dropped afterwards."""
    name = f"ct_restore_{uuid.uuid4().hex[:12]}"
    admin = _connect(connection.settings_dict, "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


def _write_evidence(media_root):
    for relative, data in EVIDENCE.items():
        path = Path(media_root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _backup(output):
    out = io.StringIO()
    call_command("backup", "--output", str(output), stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def demo_archive(shared_test_database, reference_data, settings, tmp_path):
    """The demo data plus uploaded files, committed (pg_dump runs in another process and
    sees only committed rows), then backed up."""
    call_command("seed_demo", "--allow-without-debug", stdout=io.StringIO())
    _write_evidence(settings.MEDIA_ROOT)
    return _backup(tmp_path / "backups")


@pytest.fixture
def archive(shared_test_database, db, settings, tmp_path):
    """A quick archive for the refusals: the test database as committed (its tables,
    whatever rows earlier tests left) and the uploaded files."""
    _write_evidence(settings.MEDIA_ROOT)
    return _backup(tmp_path / "backups")


@pytest.mark.django_db(transaction=True)
def test_demo_data_restored_into_a_fresh_database_has_every_row_and_every_file(
    demo_archive, fresh_database, settings, tmp_path
):
    assert re.fullmatch(r"compact-tracker-\d{8}-\d{6}\.tar", demo_archive.name)
    assert stat.S_IMODE(demo_archive.stat().st_mode) == 0o600  # personal data inside
    assert [p.name for p in demo_archive.parent.iterdir()] == [demo_archive.name]
    with tarfile.open(demo_archive) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert "database.dump" in names
    # Every uploaded file: the demo's own evidence (its gazette notices) and those above.
    uploaded = sorted(
        "media/" + path.relative_to(settings.MEDIA_ROOT).as_posix()
        for path in Path(settings.MEDIA_ROOT).rglob("*")
        if path.is_file()
    )
    assert {"media/" + relative for relative in EVIDENCE} < set(uploaded)
    assert sorted(n for n in names if n.startswith("media/")) == uploaded

    source_counts = _row_counts(connection.settings_dict["NAME"])
    assert manifest["tables"] == source_counts
    assert manifest["migrations"]["parliaments"]
    assert source_counts["parliaments_action"] > 0
    assert source_counts["parliaments_submission"] > 0

    restored_media = tmp_path / "restored-media"
    output = _restore(demo_archive, _url(connection.settings_dict, fresh_database), restored_media)

    restored_counts = _row_counts(fresh_database)
    assert restored_counts == source_counts
    assert len(restored_counts) >= 30
    assert _checksums(restored_media) == _checksums(settings.MEDIA_ROOT)
    assert len(_checksums(restored_media)) == len(uploaded)
    assert f"{len(source_counts)} tables ({sum(source_counts.values())} rows" in output


def test_restore_refuses_a_database_that_has_tables_and_changes_nothing(archive, tmp_path):
    before = _row_counts(connection.settings_dict["NAME"])
    restored_media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="is not empty") as error:
        _restore(
            archive,
            _url(connection.settings_dict, connection.settings_dict["NAME"]),
            restored_media,
        )
    assert error.value.returncode == 2
    assert _row_counts(connection.settings_dict["NAME"]) == before
    assert _checksums(restored_media) == {}


def test_restore_refuses_a_tampered_archive_before_touching_the_database(
    archive, fresh_database, tmp_path
):
    tampered = _rewrite(
        archive,
        tmp_path / "tampered.tar",
        replace={"media/evidence/2021/06/committee-minutes.pdf": b"%PDF-1.4 forged minutes"},
    )
    restored_media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="Checksum mismatch") as error:
        _restore(tampered, _url(connection.settings_dict, fresh_database), restored_media)
    assert error.value.returncode == 2
    assert _row_counts(fresh_database) == {}
    assert _checksums(restored_media) == {}


def test_restore_refuses_a_member_that_leads_out_of_media_root(archive, fresh_database, tmp_path):
    url = _url(connection.settings_dict, fresh_database)
    restored_media = tmp_path / "deep" / "restored-media"
    escaped = tmp_path / "deep" / "escaped.txt"
    payload = b"written outside MEDIA_ROOT"

    # A member the manifest does not list.
    smuggled = _rewrite(archive, tmp_path / "smuggled.tar", extra={"media/../escaped.txt": payload})
    with pytest.raises(CommandError, match="unexpected member") as error:
        _restore(smuggled, url, restored_media)
    assert error.value.returncode == 2

    # The same path listed in the manifest with its right checksum.
    def listed(manifest_bytes):
        manifest = json.loads(manifest_bytes)
        manifest["media"].append(
            {
                "path": "../escaped.txt",
                "sha256": hashlib.sha256(payload).hexdigest(),
                "bytes": len(payload),
            }
        )
        return json.dumps(manifest).encode()

    listed_archive = _rewrite(
        archive,
        tmp_path / "listed.tar",
        replace={"manifest.json": listed},
        extra={"media/../escaped.txt": payload},
    )
    with pytest.raises(CommandError, match="unsafe media path") as error:
        _restore(listed_archive, url, restored_media)
    assert error.value.returncode == 2

    assert not escaped.exists()
    assert _checksums(tmp_path / "deep") == {}
    assert _row_counts(fresh_database) == {}


def test_backup_refuses_an_unreachable_database(tmp_path):
    with pytest.raises(CommandError, match="Cannot connect") as error:
        call_command(
            "backup",
            "--output",
            str(tmp_path),
            "--database-url",
            "postgres://postgres@127.0.0.1:1/nowhere",
            stdout=io.StringIO(),
        )
    assert error.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_backup_says_so_when_pg_dump_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    with pytest.raises(CommandError, match="pg_dump not found") as error:
        call_command(
            "backup",
            "--output",
            str(tmp_path / "backups"),
            "--database-url",
            "postgres://postgres@127.0.0.1:5432/anything",
            stdout=io.StringIO(),
        )
    assert error.value.returncode == 2
    assert list((tmp_path / "backups").iterdir()) == []


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.tar"
    with tarfile.open(not_a_backup, "w") as archive:
        info = tarfile.TarInfo("notes.txt")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(CommandError, match="not a Compact Tracker backup") as error:
        _restore(not_a_backup, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "media")
    assert error.value.returncode == 2


def test_embedded_sqlite_database_backs_up_and_restores(settings, tmp_path):
    source = tmp_path / "source.sqlite3"
    db = sqlite3.connect(source)
    db.execute("CREATE TABLE parliaments_parliament (id integer primary key, name text)")
    db.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text)")
    db.executemany(
        "INSERT INTO parliaments_parliament (name) VALUES (?)", [("Morocco",), ("Mexico",)]
    )
    db.execute("INSERT INTO django_migrations (app, name) VALUES ('parliaments', '0001_initial')")
    db.commit()
    db.close()
    media = Path(settings.MEDIA_ROOT)
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "law.pdf").write_bytes(b"%PDF-1.4 law")

    out = io.StringIO()
    call_command(
        "backup",
        "--output",
        str(tmp_path / "b"),
        "--database-url",
        f"sqlite:///{source}",
        stdout=out,
    )
    archive = Path(out.getvalue().strip().splitlines()[-1])
    with tarfile.open(archive) as opened:
        assert "database.sqlite3" in opened.getnames()

    target = tmp_path / "restored.sqlite3"
    _restore(archive, f"sqlite:///{target}", tmp_path / "restored-media")
    restored = sqlite3.connect(target)
    assert restored.execute("SELECT name FROM parliaments_parliament ORDER BY id").fetchall() == [
        ("Morocco",),
        ("Mexico",),
    ]
    restored.close()
    assert _checksums(tmp_path / "restored-media") == _checksums(media)

    with pytest.raises(CommandError, match="is not empty") as error:
        _restore(archive, f"sqlite:///{target}", tmp_path / "other-media")
    assert error.value.returncode == 2
