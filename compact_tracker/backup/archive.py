"""The archive: `manage.py backup` writes it, `manage.py restore` checks and unpacks it."""

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from compact_tracker.backup.databases import (
    PG_DUMP_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    database_for,
)

FORMAT = "compact-tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


# --- Backup ---------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float

    @property
    def rows(self):
        return sum(self.manifest["tables"].values())


def media_files(media_root):
    """Regular files under MEDIA_ROOT, sorted, as POSIX paths relative to it. Symbolic
    links are not followed: nothing outside MEDIA_ROOT goes into an archive."""
    media_root = Path(media_root)
    if not media_root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(media_root).as_posix())
    return found


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _app_version(base_dir):
    version = {"version": None, "commit": os.environ.get("APP_COMMIT") or None}
    try:
        import tomllib

        with open(Path(base_dir) / "pyproject.toml", "rb") as stream:
            version["version"] = tomllib.load(stream)["project"]["version"]
    except (OSError, KeyError, ValueError):
        pass
    if version["commit"] is None and (Path(base_dir) / ".git").exists():
        git = shutil.which("git")
        if git:
            result = subprocess.run(  # noqa: S603 - our own arguments
                [git, "-C", str(base_dir), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode == 0:
                version["commit"] = result.stdout.strip()
    return version


def _add_bytes(archive, name, data, mtime):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, settings_dict, media_root, output_dir, base_dir, now=None):
    """Write one archive of the database and MEDIA_ROOT into `output_dir`, atomically
    (a hidden temporary file renamed at the end), readable by its owner only."""
    started = time.monotonic()
    database = database_for(settings_dict)
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create {output_dir}: {error.strerror}.") from None
    if not os.access(output_dir, os.W_OK):
        raise BackupError(f"Cannot write to {output_dir}.")
    now = now or datetime.datetime.now(datetime.UTC)
    final = output_dir / f"compact-tracker-{now:%Y%m%d-%H%M%S}.tar"
    if final.exists():
        raise BackupError(f"{final} already exists.")

    with tempfile.TemporaryDirectory(prefix="ct-backup-", dir=output_dir) as scratch:
        dump_path = Path(scratch) / database.member
        counts, migrations, details = database.dump(dump_path)
        dump_sha = _sha256_file(dump_path)
        mtime = int(now.timestamp())

        # Media go to the archive first (hashed on the way); the manifest, which lists
        # them, is written last. Both are in a temporary file until the rename.
        partial = output_dir / f".{final.name}.partial"
        media = []
        old_umask = os.umask(0o077)
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                archive.add(dump_path, arcname=database.member, recursive=False)
                for relative in media_files(media_root):
                    path = Path(media_root) / relative
                    with open(path, "rb") as stream:
                        info = archive.gettarinfo(fileobj=stream, arcname=MEDIA_PREFIX + relative)
                        info.uid = info.gid = 0
                        info.uname = info.gname = ""
                        reader = _HashingReader(stream)
                        archive.addfile(info, reader)
                    media.append(
                        {"path": relative, "sha256": reader.digest.hexdigest(), "bytes": info.size}
                    )
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": now.isoformat(timespec="seconds"),
                    "app": _app_version(base_dir),
                    "database": {
                        "engine": database.engine,
                        "member": database.member,
                        "sha256": dump_sha,
                        "bytes": dump_path.stat().st_size,
                        **details,
                    },
                    "migrations": migrations,
                    "tables": counts,
                    "media": media,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                _add_bytes(archive, MANIFEST, data, mtime)
            with open(partial, "rb") as stream:
                os.fsync(stream.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            os.umask(old_umask)
    return BackupResult(final, manifest, time.monotonic() - started)


# --- Restore --------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    warnings: list = field(default_factory=list)


def _safe_media_name(name):
    """The path below MEDIA_ROOT a member may be written to, or None if it may not."""
    if not name.startswith(MEDIA_PREFIX) or "\\" in name or "\x00" in name:
        return None
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or not relative.parts:
        return None
    if any(part in ("", ".", "..") for part in relative.parts):
        return None
    return relative.as_posix()


def _check_members(archive, manifest):
    """Refuse anything but the members the manifest lists, as regular files (no links,
    devices or paths leading out of MEDIA_ROOT)."""
    expected = {manifest["database"]["member"]: manifest["database"]["sha256"], MANIFEST: None}
    for entry in manifest["media"]:
        name = _safe_media_name(MEDIA_PREFIX + entry["path"])
        if name is None:
            raise BackupError(f"The manifest names an unsafe media path: {entry['path']!r}.")
        expected[MEDIA_PREFIX + name] = entry["sha256"]
    members = {}
    for member in archive.getmembers():
        if member.name in members:
            raise BackupError(f"The archive holds {member.name!r} twice.")
        if member.name not in expected:
            raise BackupError(
                f"The archive holds an unexpected member {member.name!r}: refusing it."
            )
        if not member.isreg():
            raise BackupError(f"The archive member {member.name!r} is not a regular file.")
        if hasattr(tarfile, "data_filter") and member.name.startswith(MEDIA_PREFIX):
            try:
                tarfile.data_filter(member, "/nonexistent-media-root")
            except tarfile.FilterError as error:
                raise BackupError(f"Unsafe archive member {member.name!r}: {error}") from None
        members[member.name] = member
    missing = sorted(set(expected) - set(members))
    if missing:
        raise BackupError(f"The archive lacks {len(missing)} member(s), e.g. {missing[0]!r}.")
    for name, sha in expected.items():
        if sha is None:
            continue
        digest = hashlib.sha256()
        with archive.extractfile(members[name]) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            raise BackupError(f"Checksum mismatch for {name!r}: the archive is damaged.")
    return members


def archive_read_manifest(archive):
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except KeyError:
        raise BackupError(f"The archive has no {MANIFEST}: not a Compact Tracker backup.") from None
    except (ValueError, AttributeError) as error:
        raise BackupError(f"{MANIFEST} is unreadable: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("Not a Compact Tracker backup (unknown manifest format).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Backup format version {manifest.get('format_version')!r} is not supported "
            f"by this version of Compact Tracker (it reads version {FORMAT_VERSION})."
        )
    try:
        assert isinstance(manifest["tables"], dict)
        assert isinstance(manifest["media"], list)
        assert manifest["database"]["member"] in (PG_DUMP_MEMBER, SQLITE_MEMBER)
        assert all({"path", "sha256", "bytes"} <= set(entry) for entry in manifest["media"])
    except (KeyError, TypeError, AssertionError):
        raise BackupError(f"{MANIFEST} is incomplete: the archive is damaged.") from None
    return manifest


def backup_restore(*, archive_path, settings_dict, media_root, known_migrations=None):
    """Restore an archive into an empty database and an empty MEDIA_ROOT.

    Everything is checked before anything is written; the database is restored in one
    transaction; afterwards every table's row count must equal the manifest's."""
    started = time.monotonic()
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"No archive at {archive_path}.")
    database = database_for(settings_dict)
    media_root = Path(media_root)
    try:
        archive = tarfile.open(archive_path, "r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive_path} is not a readable tar archive: {error}") from None
    with archive:
        manifest = archive_read_manifest(archive)
        if manifest["database"]["engine"] != database.engine:
            raise BackupError(
                f"The archive holds a {manifest['database']['engine']} database; the target "
                f"is a {database.engine} database."
            )
        members = _check_members(archive, manifest)
        database.check_empty()
        existing = media_files(media_root)
        if existing:
            raise BackupError(
                f"MEDIA_ROOT {media_root} already holds {len(existing)} file(s), e.g. "
                f"{existing[0]!r}: restore only into an empty MEDIA_ROOT."
            )
        warnings = []
        if known_migrations is not None:
            unknown = [
                f"{app}.{name}"
                for app, names in manifest["migrations"].items()
                for name in names
                if (app, name) not in known_migrations
            ]
            if unknown:
                warnings.append(
                    f"The archive has {len(unknown)} migration(s) this code does not know "
                    f"(e.g. {unknown[0]}): it was made by a newer version of Compact Tracker."
                )

        with tempfile.TemporaryDirectory(prefix="ct-restore-") as scratch:
            dump_path = Path(scratch) / manifest["database"]["member"]
            member = members[manifest["database"]["member"]]
            with archive.extractfile(member) as source, open(dump_path, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            database.restore(dump_path)

        media_bytes = 0
        try:
            for entry in manifest["media"]:
                target = media_root / entry["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                member = members[MEDIA_PREFIX + entry["path"]]
                # "x": never over an existing file.
                with archive.extractfile(member) as source, open(target, "xb") as stream:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        stream.write(chunk)
                if digest.hexdigest() != entry["sha256"]:
                    raise BackupError(f"Checksum mismatch writing {target}.", returncode=1)
                media_bytes += entry["bytes"]
        except OSError as error:
            raise BackupError(
                f"The database was restored, but writing the files failed: {error}", returncode=1
            ) from None

    counts = database.row_counts()
    expected = manifest["tables"]
    differences = [
        f"{table}: {counts.get(table)} rows, expected {expected.get(table)}"
        for table in sorted(set(counts) | set(expected))
        if counts.get(table) != expected.get(table)
    ]
    if differences:
        raise BackupError(
            f"Restored, but {len(differences)} table(s) differ from the manifest: "
            + "; ".join(differences[:5]),
            returncode=1,
        )
    return RestoreResult(
        manifest=manifest,
        seconds=time.monotonic() - started,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(manifest["media"]),
        media_bytes=media_bytes,
        warnings=warnings,
    )
