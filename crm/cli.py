"""The `crm` command: what the UI does, for scripts and operators. Acts as a named user."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from crm import demo
from crm.commands import acting_actor, open_session
from crm.db import make_engine
from crm.errors import CRMError, ValidationError
from crm.migrate import upgrade
from crm.models import Role
from crm.services import stats, users
from crm.services.actor import Actor, actor_by_username, system_actor

LANG = "en"


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    engine = make_engine()
    upgrade(engine)
    print(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_db_stats(args: argparse.Namespace) -> int:
    with open_session() as session:
        counts = stats.table_counts(session)
        print("Rows:")
        for table, n in counts.items():
            print(f"  {table:<16} {n:>10,}")
        print("Companies by current stage (not archived):")
        for stage, n in stats.companies_by_stage(session).items():
            print(f"  {stage:<16} {n:>10,}")
        print("Live activities by kind:")
        for row in stats.activities_by_kind(session).itertuples():
            print(f"  {row.kind:<16} {row.activities:>10,}  KRW {row.amount_krw:>20,}")
        print("Live activities by quarter:")
        for row in stats.activities_by_quarter(session).itertuples():
            print(
                f"  {row.year}-Q{row.quarter:<11} {row.activities:>10,}  KRW {row.amount_krw:>20,}"
            )
    return 0


def cmd_demo_load(args: argparse.Namespace) -> int:
    with open_session() as session:
        result = demo.load(
            session,
            acting_actor(session, args),
            companies=args.companies,
            seed=args.seed,
            replace=args.replace,
        )
    print(
        f"Loaded fictional demo data (seed {args.seed}): {result.companies:,} companies "
        f"({result.cohort_companies:,} in the {demo.DEMO_YEAR} cohort, "
        f"{result.companies - result.cohort_companies:,} supported only by infrastructure), "
        f"{result.activities:,} activities, {result.stage_entries:,} stage entries, "
        f"{result.outcome_reports:,} outcome reports, {result.programmes} programmes."
    )
    return 0


def _print_accounts(created: list[tuple[str, str, str]]) -> None:
    print("\nDemo accounts (shown once; passwords are random, store them now):")
    print(f"  {'username':<10} {'role':<9} password")
    for username, role, password in created:
        print(f"  {username:<10} {role:<9} {password}")
    print("Reset one later with: crm user reset-password NAME\n")


def demo_accounts(
    session: Session, actor: Actor, *, regenerate: bool
) -> list[tuple[str, str, str]]:
    """Give each demo account without a password (or all, with regenerate) a random one."""
    created: list[tuple[str, str, str]] = []
    demo.ensure_demo_staff(session)
    for username in demo.DEMO_ACCOUNTS:
        user = users.get_user(session, username)
        if user.password_hash and not regenerate:
            continue
        password = users.generate_password()
        users.set_password(session, actor, username, password)
        created.append((username, user.role, password))
    return created


def cmd_demo_accounts(args: argparse.Namespace) -> int:
    with open_session() as session:
        created = demo_accounts(session, acting_actor(session, args), regenerate=args.regenerate)
    if created:
        _print_accounts(created)
    else:
        print("Demo accounts already have passwords; use --regenerate to make new ones.")
    return 0


def cmd_demo_init(args: argparse.Namespace) -> int:
    """First run: migrate; if the database is empty, load the demo cohort and print accounts."""
    engine = make_engine()
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        if demo.has_data(session):
            print("Database already has data; not loading the demo cohort.")
            return 0
        actor = system_actor(session)
        result = demo.load(session, actor, companies=demo.DEMO_TARGET, seed=demo.DEFAULT_SEED)
        print(
            f"Loaded the 2022 demo cohort: {result.cohort_companies} fictional companies "
            f"(and {result.companies - result.cohort_companies} supported only by "
            f"infrastructure), {result.activities} activities."
        )
        _print_accounts(demo_accounts(session, actor, regenerate=False))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise CRMError("error.generic")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with open_session() as session:
        user = users.create_user(
            session,
            acting_actor(session, args),
            username=args.name,
            display_name=args.display_name or args.name,
            role=args.role,
            password=password,
        )
    print(f"Created {user.username} ({user.role}).")
    return 0


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with open_session() as session:
        users.set_password(session, acting_actor(session, args), args.name, password)
    print(f"Password reset for {args.name}; any lock-out is cleared.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with open_session() as session:
        for user in users.list_users(session):
            state = "active" if user.active else "inactive"
            has_pw = "password set" if user.password_hash else "no password"
            print(f"{user.username:<12} {user.role:<8} {state:<8} {has_pw:<12} {user.display_name}")
    return 0


def cmd_report_build(args: argparse.Namespace) -> int:
    """Build the quarterly workbook; --output is a file, or a directory for the standard name."""
    from pathlib import Path

    from crm.reports.exports import save_report
    from crm.reports.options import validate_options

    options = validate_options(args.year, args.quarter, args.unit, args.lang)
    directory: Path | None = None
    filename: str | None = None
    if args.output:
        out = Path(args.output)
        if out.is_dir() or args.output.endswith(("/", "\\")):
            directory = out
        else:
            directory, filename = out.parent, out.name
    with open_session() as session:
        saved, built = save_report(
            session, acting_actor(session, args), options, directory=directory, filename=filename
        )
    rows = ", ".join(f"{name} {n:,}" for name, n in built.rows.items())
    print(f"{options.period.label}: {rows}", file=sys.stderr)
    print(saved.path)
    return 0


def cmd_report_list(args: argparse.Namespace) -> int:
    from crm.reports.exports import list_exports

    with open_session() as session:
        for saved in list_exports(session):
            made = f"{saved.created_at:%Y-%m-%d %H:%M} UTC"
            print(f"{saved.filename:<40} {made:<22} {saved.created_by or '-'}")
    return 0


def cmd_quarter_close(args: argparse.Namespace) -> int:
    from crm.services.quarters import close_quarter

    with open_session() as session:
        close_quarter(session, acting_actor(session, args), args.year, args.quarter)
    print(f"Closed {args.year} Q{args.quarter}: its report figures are frozen as of now.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Preview a spreadsheet (counts, errors by row and column), then import it unless --dry-run."""
    from crm.importer.command import run_import

    with open_session() as session:
        return run_import(session, acting_actor(session, args), args)


def cmd_backup(args: argparse.Namespace) -> int:
    from crm.backup import backup

    result = backup(make_engine(), Path(args.path))
    print(f"Backed up the {result.engine} database to {result.path} ({result.bytes:,} bytes).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from crm.backup import restore

    restore(make_engine(), Path(args.path), force=args.force)
    print(f"Restored {args.path}. Run `crm db upgrade` if it came from an older release.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm", description="Startup Support CRM")
    parser.add_argument("--as", dest="as_user", help="act as this user (default: system)")
    sub = parser.add_subparsers(dest="group", required=True)

    db = sub.add_parser("db", help="schema and statistics").add_subparsers(
        dest="cmd", required=True
    )
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)
    db.add_parser("stats", help="counts by stage, kind, quarter").set_defaults(func=cmd_db_stats)

    dm = sub.add_parser("demo", help="fictional demo data").add_subparsers(
        dest="cmd", required=True
    )
    load = dm.add_parser("load", help="load the demo cohort or a large data set")
    load.add_argument("--companies", type=int, default=demo.DEMO_TARGET)
    load.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    load.add_argument("--replace", action="store_true", help="wipe existing data first")
    load.set_defaults(func=cmd_demo_load)
    acc = dm.add_parser("accounts", help="random passwords for the demo accounts")
    acc.add_argument("--regenerate", action="store_true")
    acc.set_defaults(func=cmd_demo_accounts)
    dm.add_parser("init", help="first run: migrate, load demo if empty").set_defaults(
        func=cmd_demo_init
    )

    bk = sub.add_parser("backup", help="back up the database (safe while the app runs)")
    bk.add_argument("path")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="restore a backup (refuses a non-empty database)")
    rs.add_argument("path")
    rs.add_argument("--force", action="store_true", help="overwrite a database that has data")
    rs.set_defaults(func=cmd_restore)

    us = sub.add_parser("user", help="accounts").add_subparsers(dest="cmd", required=True)
    add = us.add_parser("add", help="create an account (password prompted or from stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(func=cmd_user_add)
    reset = us.add_parser("reset-password", help="set a new password")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(func=cmd_user_reset_password)
    us.add_parser("list", help="list accounts").set_defaults(func=cmd_user_list)

    rp = sub.add_parser("report", help="the quarterly Excel report").add_subparsers(
        dest="cmd", required=True
    )
    build = rp.add_parser(
        "build", aliases=["quarterly"], help="build and save the workbook; prints its path"
    )
    build.add_argument("--year", type=int, required=True)
    build.add_argument("--quarter", type=int, required=True)
    build.add_argument("--unit", choices=["won", "thousand", "million"], default="won")
    build.add_argument("--lang", choices=["ko", "en"], default="ko")
    build.add_argument("--output", "--out", help="file or directory (default: the exports dir)")
    build.set_defaults(func=cmd_report_build)
    rp.add_parser("list", help="saved reports and who made them").set_defaults(func=cmd_report_list)

    qp = sub.add_parser("quarter", help="reporting quarters").add_subparsers(
        dest="cmd", required=True
    )
    close = qp.add_parser("close", help="close a quarter: freeze its report figures")
    close.add_argument("--year", type=int, required=True)
    close.add_argument("--quarter", type=int, required=True)
    close.set_defaults(func=cmd_quarter_close)

    from crm.importer.command import add_import_arguments

    imp = sub.add_parser("import", help="import companies, activities or outcomes (.xlsx/.csv)")
    add_import_arguments(imp)
    imp.set_defaults(func=cmd_import)

    from crm.funder.command import register as register_template
    from crm.kinds.command import register as register_kind
    from crm.portal.command import register as register_request

    register_kind(sub)  # crm kind add|list|edit
    register_request(sub)  # crm request open|status|remind
    register_template(sub)  # crm template add|list|fill
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if args.as_user:  # an unknown --as user is an error for every command, not only writes
            with open_session() as session:
                actor_by_username(session, args.as_user)
        return func(args)
    except ValidationError as exc:
        print("error: " + exc.message(LANG), file=sys.stderr)
        return 2
    except CRMError as exc:
        print("error: " + exc.message(LANG), file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and friends
        sys.stderr.close()
        return 0
    except OperationalError as exc:
        print(
            f"error: database unavailable or not migrated ({exc.orig}). "
            "Check CRM_DATABASE_URL and run `crm db upgrade`.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
