"""The `crm template` sub-commands: add a funder's form, list templates, map one from JSON, fill
one for a quarter (what the Funder templates page does)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crm.clock import to_office
from crm.commands import acting_actor, open_session
from crm.funder.checks import lost_features
from crm.funder.mapping import Mapping
from crm.i18n import t
from crm.reports.options import validate_options
from crm.services import templates as service

LANG = "en"


def _features(codes: list[str]) -> str:
    return ", ".join(t(f"funder.feature.{c}", LANG) for c in codes)


def cmd_add(args: argparse.Namespace) -> int:
    path = Path(args.path)
    data = path.read_bytes()
    with open_session() as session:
        detail = service.add_template(
            session, acting_actor(session, args), name=args.name, filename=path.name, data=data
        )
    print(f"Template '{detail.name}' added from {detail.filename}.")
    if lost_features(detail.features):
        print(t("funder.features_lost", LANG, features=_features(lost_features(detail.features))))
    if "external_links" in detail.features:
        print(t("funder.external_links_kept", LANG))
    print("Map its cells and table on the Funder templates page, or: crm template map NAME FILE")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_session() as session:
        found = service.list_templates(session, acting_actor(session, args))
    if not found:
        print("No funder templates yet: crm template add PATH --name NAME")
        return 0
    print(f"{'name':<24} {'file':<28} {'map':>4} {'cells':>5} {'tables':>6} saved")
    for s in found:
        saved = f"{to_office(s.saved_at):%Y-%m-%d %H:%M} {s.saved_by}"
        flags = f"  ({s.flagged} to re-map)" if s.flagged else ""
        print(
            f"{s.name:<24} {s.filename:<28} {s.mapping_number:>4} {s.cells:>5} {s.tables:>6} "
            f"{saved}{flags}"
        )
        if lost_features(s.features):
            print(f"{'':<24} cannot be kept: {_features(lost_features(s.features))}")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    data: dict[str, Any] = json.loads(Path(args.mapping).read_text(encoding="utf-8"))
    with open_session() as session:
        actor = acting_actor(session, args)
        detail = service.get_template(session, actor, args.name)
        saved = service.save_mapping(
            session,
            actor,
            detail.id,
            Mapping.from_json(data),
            opened_number=detail.mapping_number,
        )
    print(
        f"Mapping {saved.mapping_number} of '{saved.name}' saved: "
        f"{len(saved.mapping.cells)} cells, {len(saved.mapping.tables)} tables."
    )
    return 0


def cmd_fill(args: argparse.Namespace) -> int:
    options = validate_options(args.year, args.quarter, args.unit, args.lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open_session() as session:
        detail, filled = service.fill_template(
            session, acting_actor(session, args), args.name, options
        )
    target = out / service.filled_filename(detail, options)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(filled.content)
    partial.replace(target)
    rows = ", ".join(f"{n:,}" for n in filled.table_rows) or "-"
    note = " (closed quarter: frozen figures)" if filled.closed else ""
    print(f"{options.period.label}: table rows {rows}{note}", file=sys.stderr)
    if filled.missing:
        print(f"No figure this quarter for: {', '.join(filled.missing)}", file=sys.stderr)
    print(target)
    return 0


def register(sub: Any) -> None:
    """Add `crm template add|list|map|fill` to the `crm` parser (`sub` is argparse's subparsers)."""
    tp = sub.add_parser("template", help="funder's own Excel forms").add_subparsers(
        dest="cmd", required=True
    )
    add = tp.add_parser("add", help="upload a funder's .xlsx form under a name")
    add.add_argument("path")
    add.add_argument("--name", required=True)
    add.set_defaults(func=cmd_add)
    tp.add_parser(
        "list", help="templates, their mapping version and what cannot be kept"
    ).set_defaults(func=cmd_list)
    mp = tp.add_parser("map", help="save a mapping from a JSON file (as the page saves it)")
    mp.add_argument("name")
    mp.add_argument("mapping", help="JSON: {institution, cells: [...], tables: [...]}")
    mp.set_defaults(func=cmd_map)
    fill = tp.add_parser("fill", help="fill a template for a quarter; prints the file's path")
    fill.add_argument("name")
    fill.add_argument("--year", type=int, required=True)
    fill.add_argument("--quarter", type=int, required=True)
    fill.add_argument("--unit", choices=["won", "thousand", "million"], default="won")
    fill.add_argument("--lang", choices=["ko", "en"], default="ko")
    fill.add_argument("--out", required=True, help="directory for the filled .xlsx")
    fill.set_defaults(func=cmd_fill)
