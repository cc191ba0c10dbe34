"""The `crm kind` sub-commands: list kinds and their fields, add or edit a kind, add, edit,
retire and restore a field (what the Support kinds page does; admins only, like the page)."""

from __future__ import annotations

import argparse
from typing import Any

from crm.commands import acting_actor, open_session
from crm.kinds.audit_text import choices_text, limits_text, type_label
from crm.kinds.spec import FIELD_TYPES, kind_fields, parse_choice_line
from crm.services import kinds as service
from crm.services.kinds import FieldInput
from crm.services.reference import get_kind, list_kinds

LANG = "en"


def cmd_list(args: argparse.Namespace) -> int:
    lang = args.lang
    with open_session() as session:
        kinds = list_kinds(session)
    for kind in kinds:
        name = kind.name_ko if lang == "ko" else kind.name_en
        print(f"{kind.code:<14} {name}  (order {kind.sort_order}, version {kind.version})")
        for field in kind_fields(kind, include_retired=True):
            flags = [type_label(field.type, lang)]
            if field.required:
                flags.append("required")
            if field.unit(lang):
                flags.append(f"unit {field.unit(lang)}")
            limits = limits_text(field, lang)
            if limits:
                flags.append(limits)
            if field.retired:
                flags.append("RETIRED")
            print(f"  {field.name:<22} {field.label(lang)} [{', '.join(flags)}]")
            if field.choices:
                print(f"  {'':<22}   choices: {choices_text(field, lang)}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with open_session() as session:
        kind = service.add_kind(
            session,
            acting_actor(session, args),
            code=args.code,
            name_ko=args.ko,
            name_en=args.en,
            sort_order=args.order,
        )
    print(f"Added the kind '{kind.name_en}' ({kind.code}). Add its fields: crm kind field add")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    for key, value in (("name_ko", args.ko), ("name_en", args.en), ("sort_order", args.order)):
        if value is not None:
            changes[key] = value
    with open_session() as session:
        current = get_kind(session, args.code)
        kind = service.edit_kind(
            session,
            acting_actor(session, args),
            args.code,
            version=current.version,
            changes=changes,
        )
    print(f"Saved the kind '{kind.name_en}' ({kind.code}).")
    return 0


def _field_input(args: argparse.Namespace) -> FieldInput:
    return FieldInput(
        name=args.name,
        type=args.type,
        label_ko=args.ko,
        label_en=args.en,
        required=args.required,
        min=args.min,
        max=args.max,
        max_len=args.max_len,
        positive=args.positive,
        unit_ko=args.unit_ko,
        unit_en=args.unit_en,
        help_ko=args.help_ko,
        help_en=args.help_en,
        choices=tuple(parse_choice_line(c) for c in args.choice or ()),
        retire_choices=tuple(getattr(args, "retire_choice", None) or ()),
        restore_choices=tuple(getattr(args, "restore_choice", None) or ()),
    )


def cmd_field_add(args: argparse.Namespace) -> int:
    field = _field_input(args)
    with open_session() as session:
        current = get_kind(session, args.code)
        service.add_field(
            session, acting_actor(session, args), args.code, version=current.version, field=field
        )
    print(f"Added the field '{args.en}' ({args.name}) to {args.code}.")
    return 0


def cmd_field_edit(args: argparse.Namespace) -> int:
    field = _field_input(args)
    with open_session() as session:
        current = get_kind(session, args.code)
        service.edit_field(
            session, acting_actor(session, args), args.code, version=current.version, field=field
        )
    print(f"Saved the field {args.name} of {args.code}.")
    return 0


def cmd_field_retire(args: argparse.Namespace) -> int:
    with open_session() as session:
        current = get_kind(session, args.code)
        service.retire_field(
            session, acting_actor(session, args), args.code, args.name, version=current.version
        )
    print(f"Retired the field {args.name} of {args.code}: its stored values are kept.")
    return 0


def cmd_field_restore(args: argparse.Namespace) -> int:
    with open_session() as session:
        current = get_kind(session, args.code)
        service.restore_field(
            session, acting_actor(session, args), args.code, args.name, version=current.version
        )
    print(f"The field {args.name} of {args.code} is in use again.")
    return 0


def _field_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("code", help="the kind's code")
    parser.add_argument("name", help="the field's code")
    parser.add_argument("--type", choices=FIELD_TYPES, required=adding)
    parser.add_argument("--ko", required=adding, help="Korean label")
    parser.add_argument("--en", required=adding, help="English label")
    parser.add_argument(
        "--required", action=argparse.BooleanOptionalAction, default=False if adding else None
    )
    parser.add_argument("--min", type=float)
    parser.add_argument("--max", type=float)
    parser.add_argument("--max-len", type=int)
    parser.add_argument(
        "--positive", action=argparse.BooleanOptionalAction, default=False if adding else None
    )
    parser.add_argument("--unit-ko")
    parser.add_argument("--unit-en")
    parser.add_argument("--help-ko")
    parser.add_argument("--help-en")
    parser.add_argument(
        "--choice", action="append", help="code=한국어/English (repeat; a known code is relabelled)"
    )
    if not adding:
        parser.add_argument("--retire-choice", action="append", help="a choice code to retire")
        parser.add_argument("--restore-choice", action="append", help="a choice code to restore")


def register(sub: Any) -> None:
    """Add `crm kind …` to the `crm` parser (`sub` is argparse's subparsers)."""
    kind = sub.add_parser("kind", help="kinds of support and their fields (admins)")
    cmds = kind.add_subparsers(dest="cmd", required=True)
    listing = cmds.add_parser("list", help="kinds and their fields")
    listing.add_argument("--lang", choices=["ko", "en"], default=LANG)
    listing.set_defaults(func=cmd_list)
    add = cmds.add_parser("add", help="add a kind of support")
    add.add_argument("code")
    add.add_argument("--ko", required=True, help="Korean name")
    add.add_argument("--en", required=True, help="English name")
    add.add_argument("--order", type=int, help="place in lists (default: last)")
    add.set_defaults(func=cmd_add)
    edit = cmds.add_parser("edit", help="rename a kind or change its order")
    edit.add_argument("code")
    edit.add_argument("--ko")
    edit.add_argument("--en")
    edit.add_argument("--order", type=int)
    edit.set_defaults(func=cmd_edit)
    field = cmds.add_parser("field", help="a kind's fields").add_subparsers(
        dest="field_cmd", required=True
    )
    field_add = field.add_parser("add", help="add a field")
    _field_options(field_add, adding=True)
    field_add.set_defaults(func=cmd_field_add)
    field_edit = field.add_parser("edit", help="relabel, limits, required, choices")
    _field_options(field_edit, adding=False)
    field_edit.set_defaults(func=cmd_field_edit)
    for name, func, text in (
        ("retire", cmd_field_retire, "hide from new entries (values kept)"),
        ("restore", cmd_field_restore, "use a retired field again"),
    ):
        p = field.add_parser(name, help=text)
        p.add_argument("code")
        p.add_argument("name")
        p.set_defaults(func=func)
