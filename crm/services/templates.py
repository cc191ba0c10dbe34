"""Funder templates: upload a funder's own .xlsx form, map it, upload a changed form, fill it.

Managers and admins only (Permission.BUILD_REPORTS). Every write checks the permission, validates,
writes its audit entries and commits once; a mapping save is a new numbered version."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from openpyxl.utils.exceptions import InvalidFileException
from sqlmodel import Session, col, func, select

from crm.clock import to_office
from crm.errors import CRMError, FieldError, NotFound, ValidationError
from crm.funder.checks import TemplateRefused, inspect_template
from crm.funder.engine import load_template
from crm.funder.figures import FillContext
from crm.funder.fill import FilledForm, fill_form
from crm.funder.mapping import Mapping, anchored, headed, problems, rematch
from crm.funder.models import FunderMapping, FunderTemplate, FunderTemplateFile
from crm.importer.limits import import_limits
from crm.models import AuditAction, Programme, SupportKind, User, utcnow
from crm.reports.options import ReportOptions
from crm.services import audit
from crm.services.actor import Actor
from crm.services.permissions import Permission, begin_authorised_write, check_permission
from crm.validation import Checker

ENTITY = "funder_template"
NAME_MAX = 100


class StaleMapping(CRMError):
    """Someone saved a newer mapping since this one was opened."""

    key = "funder.error.stale"


@dataclass(frozen=True)
class TemplateSummary:
    id: int
    name: str
    filename: str
    mapping_number: int
    cells: int
    tables: int
    flagged: int
    features: list[str]
    saved_at: datetime
    saved_by: str


@dataclass
class TemplateDetail:
    id: int
    name: str
    filename: str
    content: bytes
    features: list[str]
    mapping: Mapping
    mapping_number: int
    flagged: list[dict[str, Any]] = field(default_factory=list)


def _read(data: bytes, filename: str) -> Any:
    """The checked file opened with openpyxl, and what it holds that a fill cannot keep."""
    features = inspect_template(data, filename, import_limits())
    try:
        return load_template(data), features
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise TemplateRefused("funder.refused.unreadable", detail=type(exc).__name__) from exc


def _checked_upload(session: Session, actor: Actor, data: bytes, filename: str) -> Any:
    """The permission first (nothing of a refused user's file is read), then the file, parsed
    before the write transaction opens so no write lock is held while openpyxl reads it."""
    check_permission(session, actor, Permission.BUILD_REPORTS)
    session.rollback()
    return _read(data, filename)


def _latest(session: Session, template_id: int) -> FunderMapping:
    found = session.exec(
        select(FunderMapping)
        .where(FunderMapping.template_id == template_id)
        .order_by(col(FunderMapping.number).desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(entity=ENTITY, id=template_id)
    return found


def _template(session: Session, ref: int | str) -> FunderTemplate:
    if isinstance(ref, int):
        found = session.get(FunderTemplate, ref)
    else:
        found = session.exec(select(FunderTemplate).where(FunderTemplate.name == ref)).first()
    if found is None:
        raise NotFound(entity=ENTITY, id=ref)
    return found


def _store_file(
    session: Session,
    actor: Actor,
    template_id: int,
    filename: str,
    data: bytes,
    features: list[str],
) -> FunderTemplateFile:
    stored = FunderTemplateFile(
        template_id=template_id,
        filename=PurePath(filename).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        features=features,
        uploaded_by_id=actor.id,
    )
    session.add(stored)
    session.flush()
    return stored


def add_template(
    session: Session, actor: Actor, *, name: str, filename: str, data: bytes
) -> TemplateDetail:
    """A new template from an uploaded form, with an empty mapping (version 1)."""
    _, features = _checked_upload(session, actor, data, filename)
    begin_authorised_write(session, actor, Permission.BUILD_REPORTS)
    check = Checker()
    clean = check.text("name", name, required=True, max_len=NAME_MAX)
    if clean and session.exec(select(FunderTemplate).where(FunderTemplate.name == clean)).first():
        check.fail("name", "funder.error.name_taken")
    check.raise_if_errors()
    template = FunderTemplate(name=str(clean), created_by_id=actor.id)
    session.add(template)
    session.flush()
    assert template.id is not None
    stored = _store_file(session, actor, template.id, filename, data, features)
    assert stored.id is not None
    session.add(
        FunderMapping(
            template_id=template.id, number=1, file_id=stored.id, mapping={}, saved_by_id=actor.id
        )
    )
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        ENTITY,
        template.id,
        version=template.version,
        new={"name": clean, "file": stored.filename, "features": features},
    )
    session.commit()
    return get_template(session, actor, template.id)


def get_template(session: Session, actor: Actor, ref: int | str) -> TemplateDetail:
    check_permission(session, actor, Permission.BUILD_REPORTS)
    template = _template(session, ref)
    assert template.id is not None
    latest = _latest(session, template.id)
    stored = session.get(FunderTemplateFile, latest.file_id)
    assert stored is not None
    return TemplateDetail(
        id=template.id,
        name=template.name,
        filename=stored.filename,
        content=stored.content,
        features=list(stored.features or []),
        mapping=Mapping.from_json(latest.mapping),
        mapping_number=latest.number,
        flagged=list(latest.flagged or []),
    )


def list_templates(session: Session, actor: Actor) -> list[TemplateSummary]:
    check_permission(session, actor, Permission.BUILD_REPORTS)
    newest = (
        select(FunderMapping.template_id, func.max(FunderMapping.number).label("n"))
        .group_by(FunderMapping.template_id)
        .subquery()
    )
    rows = session.exec(
        select(FunderTemplate, FunderMapping, FunderTemplateFile, User.display_name)
        .join(newest, newest.c.template_id == FunderTemplate.id)
        .join(
            FunderMapping,
            (col(FunderMapping.template_id) == FunderTemplate.id)
            & (col(FunderMapping.number) == newest.c.n),
        )
        .join(FunderTemplateFile, col(FunderTemplateFile.id) == FunderMapping.file_id)
        .join(User, col(User.id) == FunderMapping.saved_by_id)
        .order_by(col(FunderTemplate.name))
    ).all()
    out = []
    for template, mapping, stored, by in rows:
        parsed = Mapping.from_json(mapping.mapping)
        out.append(
            TemplateSummary(
                id=template.id,
                name=template.name,
                filename=stored.filename,
                mapping_number=mapping.number,
                cells=len(parsed.cells),
                tables=len(parsed.tables),
                flagged=len(mapping.flagged or []),
                features=list(stored.features or []),
                saved_at=mapping.saved_at,
                saved_by=by,
            )
        )
    return out


def _reference(session: Session) -> tuple[set[str], set[int]]:
    kinds = set(session.exec(select(SupportKind.code)).all())
    programmes = {int(i) for i in session.exec(select(Programme.id)).all() if i is not None}
    return kinds, programmes


def save_mapping(
    session: Session, actor: Actor, template_id: int, mapping: Mapping, *, opened_number: int
) -> TemplateDetail:
    """Save the mapping as the next version. Refused when another save came after the version
    the editor opened, or when an entry cannot be filled (each named)."""
    begin_authorised_write(session, actor, Permission.BUILD_REPORTS)
    template = _template(session, template_id)
    latest = _latest(session, template_id)
    if latest.number != opened_number:
        raise StaleMapping(number=latest.number)
    stored = session.get(FunderTemplateFile, latest.file_id)
    assert stored is not None
    wb = load_template(stored.content)
    kinds, programmes = _reference(session)
    found = problems(mapping, wb, kinds, programmes)
    if found:
        raise ValidationError([FieldError(where, key, values) for where, key, values in found])
    complete = Mapping(
        institution=mapping.institution.strip(),
        cells=[anchored(wb, c) for c in mapping.cells],
        tables=[headed(wb, t) for t in mapping.tables],
    )
    session.add(
        FunderMapping(
            template_id=template_id,
            number=latest.number + 1,
            file_id=stored.id,
            mapping=complete.to_json(),
            saved_by_id=actor.id,
        )
    )
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        ENTITY,
        template_id,
        version=template.version,
        field="mapping",
        old=latest.number,
        new=latest.number + 1,
    )
    session.commit()
    return get_template(session, actor, template_id)


def replace_file(
    session: Session, actor: Actor, template_id: int, *, filename: str, data: bytes
) -> TemplateDetail:
    """A changed form: the mapping is kept where its labels still match and flagged elsewhere."""
    wb, features = _checked_upload(session, actor, data, filename)
    begin_authorised_write(session, actor, Permission.BUILD_REPORTS)
    template = _template(session, template_id)
    latest = _latest(session, template_id)
    kept, flagged = rematch(Mapping.from_json(latest.mapping), wb)
    stored = _store_file(session, actor, template_id, filename, data, features)
    assert stored.id is not None
    session.add(
        FunderMapping(
            template_id=template_id,
            number=latest.number + 1,
            file_id=stored.id,
            mapping=kept.to_json(),
            flagged=flagged,
            saved_by_id=actor.id,
        )
    )
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        ENTITY,
        template_id,
        version=template.version,
        field="file",
        old=latest.number,
        new={"file": stored.filename, "mapping": latest.number + 1, "flagged": len(flagged)},
    )
    session.commit()
    return get_template(session, actor, template_id)


def fill_template(
    session: Session, actor: Actor, ref: int | str, options: ReportOptions, *, institution: str = ""
) -> tuple[TemplateDetail, FilledForm]:
    """The template filled for the quarter (audited as an export of the template)."""
    user = check_permission(session, actor, Permission.BUILD_REPORTS)
    detail = get_template(session, actor, ref)
    session.rollback()  # the fill reads its own snapshot
    context = FillContext(
        institution=institution or detail.mapping.institution,
        author=user.display_name,
        written_on=to_office(utcnow()).date(),
        lang=options.lang,
    )
    filled = fill_form(session, actor, detail.content, detail.mapping, options, context)
    begin_authorised_write(session, actor, Permission.BUILD_REPORTS)
    audit.record(
        session,
        actor,
        AuditAction.EXPORT,
        ENTITY,
        detail.id,
        new={
            "year": options.year,
            "quarter": options.quarter,
            "unit": options.unit.value,
            "mapping": detail.mapping_number,
            "rows": filled.table_rows,
        },
    )
    session.commit()
    return detail, filled


def filled_filename(detail: TemplateDetail, options: ReportOptions) -> str:
    stem = PurePath(detail.filename).stem or "form"
    return f"{stem}-{options.year}-Q{options.quarter}.xlsx"
