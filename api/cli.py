"""`zhibu` command line: operator tasks against the configured database.

    zhibu members import FILE --tenant 440304 [--organization NAME|ID] [--dry-run]
                              [--mode all|partial] [--json]
    zhibu users reset-password USERNAME
    zhibu users reset-mfa USERNAME     remove a lost second factor, end the sessions, audited
    zhibu backup DIR                   database dump + local objects + manifest with checksums
    zhibu restore DIR                  into an empty database and data directory

The database is the app's (DATABASE_URL, or the embedded server under ZHIBU_DATA_DIR), and the
import runs through the same code path as `POST /api/v1/members/import`, in the given tenant's
scope (row-level security applies) on behalf of the platform `admin` account, audited as "cli".
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from domain.shared import DomainError
from domain.tenancy import PLATFORM_PATH
from infra import backup as backups
from infra import tenancy
from infra.db.bootstrap import DatabaseUrls, migrate, prepare
from infra.db.session import Actor, Database, Scope
from infra.members import (
    ImportActor,
    Importer,
    ImportOptions,
    ImportReport,
    import_sheet,
    read_table,
)
from infra.protection import FieldProtector
from infra.settings import Settings
from infra.tenancy import reset_factor, reset_password

app = typer.Typer(help="Zhibu 支部 command line", no_args_is_help=True)
members_app = typer.Typer(help="党员信息 Member registry", no_args_is_help=True)
app.add_typer(members_app, name="members")
users_app = typer.Typer(help="用户账号 User accounts", no_args_is_help=True)
app.add_typer(users_app, name="users")

CLI_ACTOR = "cli"


class CliError(Exception):
    pass


def _prepared(settings: Settings, protector: FieldProtector | None = None) -> DatabaseUrls:
    """The server ready, migrated, as `make run` leaves it (migrations may need the keys)."""
    return prepare(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        app_password=settings.app_db_password_value,
        protector=protector or FieldProtector.from_settings(settings),
    )


async def _import(
    file: Path,
    tenant_code: str,
    organization: str | None,
    dry_run: bool,
    mode: Literal["all", "partial"],
    lang: str,
    console: Console,
) -> ImportReport:
    settings = Settings()
    protector = FieldProtector.from_settings(settings)
    urls = _prepared(settings, protector)
    db = Database(urls.app, pool_size=2)
    try:
        async with db.unit_of_work(Scope(PLATFORM_PATH)) as uow:
            tenant = await tenancy.tenant_by_code(uow, tenant_code)
            admin = await tenancy.platform_admin(uow)
        if tenant is None or tenant.level == "platform":
            raise CliError(f"没有代码为 {tenant_code} 的租户 / no tenant with code {tenant_code}")
        if admin is None:
            raise CliError("找不到平台管理员账号 admin / the platform admin account is missing")
        content = await asyncio.to_thread(file.read_bytes)
        table = await asyncio.to_thread(read_table, content, file.name)
        scope = Scope(str(tenant.path), admin.id)
        actor = Actor(admin.id, CLI_ACTOR, tenant.id, None, CLI_ACTOR)
        with Progress(
            TextColumn("[bold]导入 {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task(file.name, total=len(table.rows))

            async def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            options = ImportOptions(
                mode=mode,
                dry_run=dry_run,
                default_organization=_organization(organization),
                filename=file.name,
            )
            async with db.unit_of_work(scope, actor) as uow:
                return await import_sheet(
                    uow,
                    table,
                    Importer(ImportActor(admin.id, CLI_ACTOR, tenant.id)),
                    protector,
                    options,
                    progress=progress,
                )
    finally:
        await db.dispose()


def _organization(organization: str | None) -> uuid.UUID | str | None:
    """--organization names the default organization by id or by name."""
    if not organization:
        return None
    try:
        return uuid.UUID(organization)
    except ValueError:
        return organization


_SUMMARY = (
    "total",
    "created",
    "updated",
    "would_create",
    "would_update",
    "unchanged",
    "refused",
    "committed",
)


def _print_report(console: Console, body: dict[str, Any]) -> None:
    summary = RichTable(title="导入报告 Import report")
    for column in _SUMMARY:
        summary.add_column(column)
    summary.add_row(*(str(body[c]) for c in _SUMMARY))
    console.print(summary)
    if body["refused_rows"]:
        refused = RichTable(title="未导入的行 Refused rows")
        for column in ("行 row", "姓名 name", "字段 field", "代码 code", "原因 reason"):
            refused.add_column(column, overflow="fold")
        for row in body["refused_rows"]:
            for error in row["errors"]:
                refused.add_row(
                    str(row["row"]),
                    row["name"] or "",
                    error["field"],
                    error["code"],
                    error["message"],
                )
        console.print(refused)


@members_app.command("import")
def import_members(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help=".xlsx 或 .csv")
    ],
    tenant: Annotated[str, typer.Option("--tenant", help="租户行政区划代码，如 440304")],
    organization: Annotated[
        str | None,
        typer.Option("--organization", help="未填所在党支部的行导入到的党组织（名称或 ID）"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验不写入")] = False,
    mode: Annotated[str, typer.Option("--mode", help="all 或 partial")] = "all",
    lang: Annotated[str, typer.Option("--lang", help="zh 或 en")] = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出完整报告")] = False,
) -> None:
    """导入党员信息表 Import a member spreadsheet into a tenant."""
    console = Console(stderr=as_json)
    if mode not in ("all", "partial"):
        console.print("[red]--mode 只能是 all 或 partial / --mode must be all or partial")
        raise typer.Exit(2)
    try:
        report = asyncio.run(
            _import(file, tenant, organization, dry_run, mode, lang, console)  # type: ignore[arg-type]
        )
    except CliError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    except DomainError as exc:
        console.print(f"[red]{exc.message.pick(lang)}")
        for error in exc.errors:
            console.print(f"  {error.field}: {error.message.pick(lang)}")
        raise typer.Exit(2) from exc
    body = report.as_dict(lang)
    if as_json:
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(console, body)
    if not dry_run and not report.committed:
        raise typer.Exit(1)


async def _reset_password(username: str) -> str:
    settings = Settings()
    urls = _prepared(settings)
    db = Database(urls.app, pool_size=1)
    try:
        async with db.unit_of_work(Scope(PLATFORM_PATH)) as uow:
            admin = await tenancy.platform_admin(uow)
            if admin is None:
                raise CliError("找不到平台管理员账号 admin / the platform admin account is missing")
            uow.actor = Actor(admin.id, CLI_ACTOR, admin.tenant_id, None, CLI_ACTOR)
            return await reset_password(uow, username)
    finally:
        await db.dispose()


@users_app.command("reset-password")
def reset_user_password(
    username: Annotated[str, typer.Argument(help="用户名 username")],
) -> None:
    """重置密码 Reset a password: prints a one-time password and ends every session of the
    account; logged in with it, the user can do nothing but choose a new one."""
    console = Console()
    try:
        password = asyncio.run(_reset_password(username))
    except CliError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    except DomainError as exc:
        console.print(f"[red]{exc.message.pick('zh')} / {exc.message.pick('en')}")
        raise typer.Exit(1) from exc
    sys.stdout.write(
        f"用户 {username} 的一次性密码（仅显示这一次；登录后须先修改密码）/ one-time password"
        f" for {username} (shown once; it must be changed right after logging in):\n{password}\n"
        "该账号的所有登录会话已结束 / every session of the account has ended.\n"
    )


async def _reset_mfa(username: str) -> uuid.UUID | None:
    settings = Settings()
    urls = _prepared(settings)
    db = Database(urls.app, pool_size=1)
    try:
        return await reset_factor(db, username, CLI_ACTOR)
    finally:
        await db.dispose()


@users_app.command("reset-mfa")
def reset_mfa(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """重置丢失的动态验证码 Remove a lost second factor; the account enrols again at next login.

    Its sessions end too; the reset is audited in the account's tenant as done by "cli".
    """
    console = Console()
    user_id = asyncio.run(_reset_mfa(username))
    if user_id is None:
        console.print(f"[red]没有用户 {username} / no such user")
        raise typer.Exit(2)
    console.print(f"已重置 {username} 的双因素认证，登录会话已注销 / second factor reset")


@app.command("backup")
def backup(
    dest: Annotated[Path, typer.Argument(file_okay=False, help="新建或空的备份目录")],
) -> None:
    """备份 Back up the database and the local object store into DIR (no secrets inside)."""
    console = Console()
    settings = Settings()
    urls = _prepared(settings)
    try:
        manifest = backups.backup(settings, urls.admin, dest)
    except backups.BackupError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    files = manifest["objects"]["files"]
    console.print(
        f"已备份到 {dest}：数据库 {manifest['database']['bytes']} 字节，对象 {len(files)} 个 / done"
    )
    console.print(
        "恢复时需要的密钥（未写入备份）/ secrets needed to restore (not in the backup): "
        + ", ".join(entry["env"] for entry in manifest["secrets"].values())
    )


@app.command("restore")
def restore(
    source: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="备份目录")],
) -> None:
    """恢复 Restore DIR into an empty database and data directory, then migrate to this version.

    The keys must be the backup's (set them, or put the old secrets.json in the data directory).
    """
    console = Console()
    settings = Settings()
    try:
        report = backups.restore(settings, source)
    except backups.BackupError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    migrate(report.admin_db_url)
    for warning in report.warnings:
        console.print(f"[yellow]{warning}")
    console.print(
        f"已恢复数据库 {report.database}（版本 {report.revision}）和 {report.objects} 个对象 / done"
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
