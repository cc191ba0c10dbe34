"""`crm import PATH ...`: preview a file, print the summary, and apply it unless --dry-run."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TextIO

from sqlmodel import Session, select

from crm.i18n import t
from crm.importer import apply as apply_module
from crm.importer.errors import ImportRefused
from crm.importer.headers import find_table
from crm.importer.model import ImportKind, ImportOptions
from crm.importer.preview import preview_import
from crm.importer.readers import read_path
from crm.importer.summary import summary_lines
from crm.models import Industry, Programme, Stage
from crm.services.actor import Actor
from crm.services.reference import list_kinds


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="an .xlsx or .csv file")
    parser.add_argument(
        "--kind", choices=[k.value for k in ImportKind], help="default: guessed from the headers"
    )
    parser.add_argument("--dry-run", action="store_true", help="preview only; write nothing")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows, list the others"
    )
    parser.add_argument(
        "--default-stage",
        choices=[s.value for s in Stage],
        help="stage of new companies without one",
    )
    parser.add_argument(
        "--stage-since", type=date.fromisoformat, help="their stage date (default: today)"
    )
    parser.add_argument("--cohort-year", type=int, help="cohort of new companies without one")
    parser.add_argument("--default-industry", choices=[i.value for i in Industry])
    parser.add_argument("--programme", help="activities: programme id or name for rows without one")
    parser.add_argument(
        "--default-kind", help="activities: kind of rows without one (programme of that year)"
    )
    parser.add_argument("--usd-rate", type=float, help="KRW per USD, for amount columns marked USD")
    parser.add_argument(
        "--date-order",
        choices=["auto", "dmy", "mdy"],
        default="auto",
        help="how to read 04/03/2022",
    )
    parser.add_argument(
        "--no-new-companies", action="store_true", help="activities: do not create companies"
    )
    parser.add_argument(
        "--empty-clears",
        action="store_true",
        help="companies: an empty cell clears the stored optional value (default: left alone)",
    )
    parser.add_argument("--sheet", help="workbook sheet (default: the active one)")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="correct the column mapping (FIELD empty: ignore the column)",
    )
    parser.add_argument("--lang", choices=["ko", "en"], default="en")
    parser.add_argument("--show", type=int, default=50, help="lines shown per section (default 50)")


def _programme_id(session: Session, value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    found = session.exec(select(Programme.id).where(Programme.name == value)).all()
    if len(found) != 1:
        raise ImportRefused(
            "importer.error.programme_unknown"
            if not found
            else "importer.error.programme_ambiguous",
            value=value,
        )
    return found[0]


def _progress(out: TextIO) -> apply_module.Progress:
    def report(fraction: float, message: str) -> None:
        if out.isatty():
            out.write(f"\r{fraction:6.1%} {message[:70]:<70}")
            if fraction >= 1.0:
                out.write("\n")
            out.flush()

    return report


def run_import(
    session: Session, actor: Actor, args: argparse.Namespace, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    lang = args.lang
    kinds = list_kinds(session)
    raw = read_path(args.path, sheet=args.sheet)
    table = find_table(raw, ImportKind(args.kind) if args.kind else None, kinds)
    mapping = dict(table.mapping)
    for item in args.map:
        label, _, field = item.partition("=")
        if label not in mapping:
            raise ImportRefused("importer.refused.mapping_column", column=label)
        mapping[label] = field or None
    options = ImportOptions(
        default_stage=args.default_stage,
        stage_since=args.stage_since,
        cohort_year=args.cohort_year,
        default_industry=args.default_industry,
        programme_id=_programme_id(session, args.programme),
        default_kind=args.default_kind,
        create_companies=not args.no_new_companies,
        date_order=args.date_order,
        usd_krw_rate=args.usd_rate,
        empty_clears=args.empty_clears,
    )
    preview = preview_import(session, actor, table, mapping=mapping, options=options)
    for line in summary_lines(preview, lang, table=table, limit=args.show):
        print(line, file=out)
    if args.dry_run:
        print(t("importer.summary.dry_run", lang), file=out)
        return 0
    result = apply_module.apply_import(
        session,
        actor,
        table,
        mapping=mapping,
        options=options,
        skip_invalid=args.skip_invalid,
        progress=_progress(sys.stderr),
        lang=lang,
    )
    if result.batch_id is None:
        print(t("importer.summary.nothing", lang), file=out)
        return 0
    print(
        t(
            "importer.summary.applied",
            lang,
            batch=result.batch_id,
            created=result.created,
            updated=result.updated,
            skipped=len(result.skipped_rows) + result.duplicates,
        ),
        file=out,
    )
    if result.companies_created and table.kind == ImportKind.ACTIVITIES:
        print(
            t("importer.summary.companies_created", lang, count=result.companies_created), file=out
        )
    if result.skipped_rows:
        rows = ", ".join(str(r) for r in result.skipped_rows[: args.show])
        more = len(result.skipped_rows) - args.show
        print(
            t(
                "importer.summary.skipped_rows",
                lang,
                rows=rows + (f" (+{more})" if more > 0 else ""),
            ),
            file=out,
        )
    return 0
