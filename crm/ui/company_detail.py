"""The company page: profile (field-merged saves, conflict side-by-side), stage timeline and
change, support log, quarterly outcomes, audit history. Read-only and masked for analysts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from crm.clock import zone_label
from crm.errors import ConflictError, CRMError, NotFound, ValidationError
from crm.models import AI_FIELDS, GWANGJU_DISTRICTS, Industry, Stage
from crm.quarters import Quarter
from crm.reports.provenance import company_sources
from crm.services import audit, companies, outcomes, stages, users
from crm.services.activity_views import ActivityFilters, list_activities
from crm.services.actor import Actor
from crm.services.companies import PROFILE_FIELDS
from crm.services.company_views import CompanyView, company_profile
from crm.services.history import company_history
from crm.services.outcomes import FIGURE_FIELDS
from crm.services.permissions import Permission, can
from crm.services.saving import RestatementNeeded, save_new_outcome_report, save_outcome_report
from crm.ui import format as fmt
from crm.ui import state
from crm.ui.activity_form import log_activity_form
from crm.ui.data import session
from crm.ui.forms import (
    ai_field_label,
    changed_fields,
    clear_errors,
    conflict_choice,
    detail_text,
    field_error,
    money_input,
    other_errors,
    reset_widgets,
    set_errors,
    wkey,
)
from crm.ui.history import history_table
from crm.ui.kind_names import kind_names, name_of
from crm.ui.state import language, tr
from crm.ui.tabs import tracked_tabs
from crm.ui.widget_state import label_for, relabelled
from crm.validation import is_money_field

PROFILE_INPUTS = PROFILE_FIELDS  # the profile form shows every profile field


def _opened_key(company_id: int) -> str:
    return f"company_opened_{company_id}"


def open_view(actor: Actor, company_id: int, *, refresh: bool = False) -> CompanyView | None:
    """The record as it was when the user opened it (the base for their edits)."""
    key = _opened_key(company_id)
    if refresh or key not in st.session_state:
        try:
            with session() as s:
                st.session_state[key] = company_profile(s, actor, company_id)
        except NotFound:
            return None
    return st.session_state[key]


def close_view(company_id: int) -> None:
    """Forget the opened record and its form input (the next open reads it afresh)."""
    st.session_state.pop(_opened_key(company_id), None)
    for base in (f"cp{company_id}", f"cs{company_id}", f"co{company_id}"):
        reset_widgets(base)


def render(actor: Actor, company_id: int) -> None:
    view = open_view(actor, company_id)
    if view is None:
        st.error(tr("company.not_found"))
        return
    editable = can(actor.role, Permission.EDIT_COMPANIES)
    name = view.values["name_ko"]
    badge = f" · :orange[{tr('company.archived_badge')}]" if view.values.get("archived") else ""
    st.title(name)
    st.markdown(f"**{tr(f'stage.{view.stage}')}**{badge}")
    if not editable:
        st.info(tr("companies.read_only"))
    state.show_flash()
    tabs = _tabs(view.id)
    drawers = (
        lambda: _profile(actor, view, editable),
        lambda: _timeline(actor, view, editable),
        lambda: _support(actor, view, editable),
        lambda: _outcomes(actor, view, can(actor.role, Permission.EDIT_OUTCOMES)),
        lambda: _audit(actor, view),
    )
    # Only the open tab runs and is sent to the browser (tracked tabs rerun on a switch): the
    # page draws one tab's forms and tables, not five.
    for tab, draw in zip(tabs, drawers, strict=True):
        if tab.open is not False:
            with tab:
                draw()


TABS = ("profile", "timeline", "support", "outcomes", "audit")
TAB_PARAM = "tab"  # ?company=12&tab=support: the open tab, the same code in either language


def _tabs(company_id: int) -> Sequence[Any]:
    """The page's tabs; the open one stays open across its forms' reruns and in the address."""
    labels = {code: tr(f"company.tab.{code}") for code in TABS}
    return tracked_tabs(labels, key=f"company_tabs_{company_id}", param=TAB_PARAM)


def text_field(
    prefix: str,
    values: dict[str, Any],
    name: str,
    *,
    disabled: bool,
    required: bool = False,
    placeholder: str | None = None,
) -> str:
    """A profile text input with its error message right under it."""
    label = tr(f"field.{name}") + (" *" if required else "")
    value = st.text_input(
        label,
        value=values[name] or "",
        key=wkey(prefix, name),
        disabled=disabled,
        placeholder=placeholder,
    )
    field_error(prefix, name)
    return value


def _profile(actor: Actor, view: CompanyView, editable: bool) -> None:
    prefix = f"cp{view.id}"
    values = view.values
    conflict_key = f"{prefix}__conflict"
    if conflict_key in st.session_state:
        _conflict_panel(actor, view, prefix, conflict_key)
    with session() as s:
        officers = {u.id: u.display_name for u in users.list_officers(s)}
    if values.get("officer_id") and values["officer_id"] not in officers:
        officers[values["officer_id"]] = view.officer_name or str(values["officer_id"])
    disabled = not editable or bool(values.get("archived"))
    entered: dict[str, Any] = {}
    with st.form(f"{prefix}_form"):
        c1, c2 = st.columns(2)
        with c1:
            entered["name_ko"] = text_field(
                prefix, values, "name_ko", required=True, disabled=disabled
            )
            entered["brn"] = text_field(
                prefix, values, "brn", placeholder="123-45-67890", disabled=disabled
            )
            entered["founded_on"] = st.date_input(
                tr("field.founded_on"),
                value=values["founded_on"],
                key=wkey(prefix, "founded_on"),
                disabled=disabled,
                min_value=date(1900, 1, 1),
            )
            field_error(prefix, "founded_on")
            ai_options = list(AI_FIELDS)
            if values["ai_field"] and values["ai_field"] not in ai_options:
                ai_options.append(values["ai_field"])
            entered["ai_field"] = st.selectbox(
                tr("field.ai_field"),
                ai_options,
                index=ai_options.index(values["ai_field"]) if values["ai_field"] else None,
                placeholder=tr("common.choose"),
                accept_new_options=True,
                format_func=ai_field_label,
                key=relabelled(wkey(prefix, "ai_field")),
                disabled=disabled,
            )
            field_error(prefix, "ai_field")
            entered["email"] = text_field(prefix, values, "email", disabled=disabled)
            entered["officer_id"] = st.selectbox(
                tr("field.officer_id"),
                list(officers),
                index=list(officers).index(values["officer_id"]) if values["officer_id"] else None,
                placeholder=tr("common.choose"),
                format_func=lambda uid: officers[uid],
                key=wkey(prefix, "officer_id"),
                disabled=disabled,
            )
            field_error(prefix, "officer_id")
        with c2:
            entered["name_en"] = text_field(prefix, values, "name_en", disabled=disabled)
            entered["representative"] = text_field(
                prefix, values, "representative", disabled=disabled
            )
            industries = [i.value for i in Industry]
            entered["industry"] = st.selectbox(
                tr("field.industry") + " *",
                industries,
                index=industries.index(values["industry"]),
                format_func=label_for("industry"),
                placeholder=tr("common.choose_one"),
                key=relabelled(wkey(prefix, "industry")),
                disabled=disabled,
            )
            locations = list(GWANGJU_DISTRICTS)
            if values["location"] and values["location"] not in locations:
                locations.append(values["location"])
            entered["location"] = st.selectbox(
                tr("field.location"),
                locations,
                index=locations.index(values["location"]) if values["location"] else None,
                placeholder=tr("common.choose"),
                accept_new_options=True,
                key=wkey(prefix, "location"),
                disabled=disabled,
            )
            field_error(prefix, "location")
            entered["phone"] = text_field(prefix, values, "phone", disabled=disabled)
            entered["cohort_year"] = st.number_input(
                tr("field.cohort_year") + " *",
                min_value=2000,
                max_value=2100,
                step=1,
                value=int(values["cohort_year"]),
                key=wkey(prefix, "cohort_year"),
                disabled=disabled,
            )
            field_error(prefix, "cohort_year")
        entered["notes"] = st.text_area(
            tr("field.notes"),
            value=values["notes"] or "",
            key=wkey(prefix, "notes"),
            disabled=disabled,
        )
        field_error(prefix, "notes")
        other_errors(prefix, set(PROFILE_INPUTS))
        submitted = st.form_submit_button(tr("company.save"), type="primary", disabled=disabled)
    if editable:
        _archive_buttons(actor, view)
    if not submitted or disabled:
        return
    changes = changed_fields(values, entered)
    if not changes:
        st.info(tr("company.no_changes"))
        return
    _save_profile(actor, view, prefix, changes)


def _save_profile(actor: Actor, view: CompanyView, prefix: str, changes: dict[str, Any]) -> None:
    try:
        with session() as s:
            saved = companies.update_company(
                s, actor, view.id, version=view.version, changes=changes
            )
            merged = (
                sorted(set(audit.changes_since(s, "company", view.id, view.version)) - set(changes))
                if saved.version > view.version + 1
                else []
            )
    except ValidationError as exc:
        set_errors(prefix, exc)
        st.rerun()
    except ConflictError as exc:
        st.session_state[f"{prefix}__conflict"] = (exc.clashes, changes)
        st.rerun()
    clear_errors(prefix)
    reset_widgets(prefix)
    open_view(actor, view.id, refresh=True)
    labels = ", ".join(tr(f"field.{f}") for f in merged)
    state.flash(tr("company.merged", fields=labels) if merged else tr("company.saved"))
    st.rerun()


def _conflict_panel(actor: Actor, view: CompanyView, prefix: str, conflict_key: str) -> None:
    clashes, changes = st.session_state[conflict_key]
    choice = conflict_choice(prefix, clashes, PROFILE_INPUTS)
    if choice == "keep":
        latest = open_view(actor, view.id, refresh=True)
        del st.session_state[conflict_key]
        if latest is not None:
            # Re-apply deliberately over the latest version: the user has seen their values.
            _save_profile(actor, latest, prefix, changes)
    if choice == "drop":
        del st.session_state[conflict_key]
        clear_errors(prefix)
        reset_widgets(prefix)
        open_view(actor, view.id, refresh=True)
        st.rerun()


def _archive_buttons(actor: Actor, view: CompanyView) -> None:
    archived = bool(view.values.get("archived"))
    label = tr("company.restore") if archived else tr("company.archive")
    if st.button(label, key=f"cp{view.id}_archive_toggle", icon=":material/inventory_2:"):
        try:
            with session() as s:
                if archived:
                    companies.restore_company(s, actor, view.id, version=view.version)
                else:
                    companies.archive_company(s, actor, view.id, version=view.version)
        except CRMError as exc:
            st.error(exc.message(language()))
            return
        reset_widgets(f"cp{view.id}")
        open_view(actor, view.id, refresh=True)
        state.flash(tr("company.restored_done") if archived else tr("company.archived_done"))
        st.rerun()


def _timeline(actor: Actor, view: CompanyView, editable: bool) -> None:
    lang = language()
    with session() as s:
        history = stages.stage_history(s, view.id)
        names = {u.id: u.display_name for u in users.list_users(s)}
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.entered_on"): [fmt.day(h.entered_on, lang) for h in history],
                tr("col.stage"): [tr(f"stage.{h.stage}") for h in history],
                tr("col.reason"): [h.reason or "" for h in history],
                tr("col.recorded_by"): [names.get(h.recorded_by_id, "?") for h in history],
                tr("col.recorded_at"): [fmt.moment(h.recorded_at, lang) for h in history],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if not editable or view.values.get("archived"):
        return
    prefix = f"cs{view.id}"
    st.markdown(f"**{tr('company.change_stage')}**")
    st.caption(tr("company.stage_hint"))
    options = [s.value for s in Stage if s.value != view.stage]
    forward = [v for v in options if Stage(v).rank > Stage(view.stage).rank]
    with st.form(f"{prefix}_form"):
        c1, c2 = st.columns(2)
        with c1:
            new_stage = st.selectbox(
                tr("field.stage"),
                options,
                # The next stage up; a move back is never the default (the last stage: none).
                index=options.index(forward[0]) if forward else None,
                placeholder=tr("company.stage_choose"),
                format_func=label_for("stage"),
                key=relabelled(wkey(prefix, "stage")),
            )
            field_error(prefix, "stage")
            entered_on = st.date_input(
                tr("field.entered_on"), value=date.today(), key=wkey(prefix, "date")
            )
            field_error(prefix, "entered_on")
        with c2:
            reason = st.text_input(tr("field.reason"), key=wkey(prefix, "reason"))
            field_error(prefix, "reason")
            founded = None
            if view.stage == Stage.PRE_STARTUP:
                founded = st.date_input(
                    tr("field.founded_on"), value=None, key=wkey(prefix, "founded")
                )
                field_error(prefix, "founded_on")
        other_errors(prefix, {"stage", "entered_on", "reason", "founded_on"})
        submitted = st.form_submit_button(tr("company.change_stage"), type="primary")
    if submitted:
        try:
            with session() as s:
                stages.change_stage(
                    s,
                    actor,
                    view.id,
                    stage=new_stage,
                    entered_on=entered_on,
                    reason=reason,
                    founded_on=founded,
                )
        except ValidationError as exc:
            set_errors(prefix, exc)
            st.rerun()
        except CRMError as exc:
            st.error(exc.message(language()))
            return
        clear_errors(prefix)
        reset_widgets(prefix)
        reset_widgets(f"cp{view.id}")
        open_view(actor, view.id, refresh=True)
        state.flash(tr("company.stage_changed", stage=tr(f"stage.{new_stage}")))
        st.rerun()


def activity_table(rows: pd.DataFrame, *, with_company: bool = True) -> pd.DataFrame:
    """Activities as listed; a company's own page leaves out the company column (on a phone
    it pushed the amount off the screen)."""
    lang = language()
    names = kind_names(lang)
    company = {tr("col.company"): rows["company"]} if with_company else {}
    return pd.DataFrame(
        {
            tr("col.record_number"): rows["id"],  # the number officers quote
            **company,
            tr("field.start_on"): [fmt.day(d, lang) for d in rows["start_on"]],
            tr("col.kind"): [name_of(names, k) for k in rows["kind"]],
            tr("col.programme"): rows["programme"],
            tr("field.status"): [tr(f"status.{v}") for v in rows["status"]],
            tr("col.amount"): [fmt.krw(v, lang) for v in rows["amount_krw"]],
            tr("col.what"): [detail_text(d) for d in rows["details"]],
            tr("col.officer"): rows["officer"],
        }
    )


def _support(actor: Actor, view: CompanyView, editable: bool) -> None:
    with session() as s:
        page = list_activities(s, ActivityFilters(company_id=view.id), page_size=1000)
    if page.rows.empty:
        st.info(tr("activity.none"))
    else:
        st.caption(
            tr("support.total", total=page.total, amount=fmt.krw(page.total_krw, language()))
        )
        st.dataframe(
            activity_table(page.rows, with_company=False), hide_index=True, width="stretch"
        )
    if editable and can(actor.role, Permission.EDIT_ACTIVITIES):
        if view.values.get("archived"):
            st.info(tr("activity.archived_company"))
            return
        st.markdown(f"**{tr('activity.log')}**")
        log_activity_form(actor, f"ca{view.id}", company_id=view.id)


def _outcomes(actor: Actor, view: CompanyView, editable: bool) -> None:
    lang = language()
    with session() as s:
        reports = outcomes.reports_for_company(s, view.id)
        sources = company_sources(s, view.id, lang)
    if reports:
        st.dataframe(
            pd.DataFrame(
                {
                    tr("field.year"): [r.year for r in reports],
                    tr("field.quarter"): [f"Q{r.quarter}" for r in reports],
                    **{
                        tr(f"field.{f}"): [
                            fmt.krw(getattr(r, f), lang) if is_money_field(f) else getattr(r, f)
                            for r in reports
                        ]
                        for f in FIGURE_FIELDS
                    },
                    tr("report.col.provenance"): [
                        sources[r.id].label if r.id in sources else "" for r in reports
                    ],
                    tr("report.col.evidence"): [
                        sources[r.id].evidence if r.id in sources else 0 for r in reports
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(tr("outcome.none"))
    if not editable:
        return
    by_id = {r.id: r for r in reports}
    # A new report is most likely the quarter after the latest one (or the cohort year's first).
    if reports:
        following = Quarter(reports[-1].year, reports[-1].quarter).next()
        next_year, next_quarter = following.year, following.number
    else:
        next_year, next_quarter = int(view.values["cohort_year"]), 1
    adding = tr("outcome.add")
    choice = st.selectbox(
        tr("outcome.edit"),
        [0, *by_id],  # 0: a new report; the others are report ids
        format_func=lambda rid: f"{by_id[rid].year} Q{by_id[rid].quarter}" if rid else adding,
        placeholder=tr("common.choose_one"),
        key=relabelled(f"co{view.id}_choice"),
    )
    report = by_id.get(choice)
    prefix = f"co{view.id}_{report.id if report else 'new'}"
    with st.form(f"{prefix}_form"):
        c1, c2 = st.columns(2)
        year = c1.number_input(
            tr("field.year"),
            2000,
            2100,
            value=report.year if report else next_year,
            key=wkey(prefix, "year"),
            disabled=report is not None,
        )
        quarter = c2.selectbox(
            tr("field.quarter"),
            [1, 2, 3, 4],
            index=(report.quarter - 1) if report else next_quarter - 1,
            format_func=lambda q: f"Q{q}",
            placeholder=tr("common.choose_one"),
            key=wkey(prefix, "quarter"),
            disabled=report is not None,
        )
        field_error(prefix, "quarter")
        figures: dict[str, Any] = {}
        cols = st.columns(4)
        for i, name in enumerate(FIGURE_FIELDS):
            with cols[i % 4]:
                current = int(getattr(report, name)) if report else 0
                if is_money_field(name):
                    figures[name] = money_input(tr(f"field.{name}"), current, wkey(prefix, name))
                else:
                    figures[name] = st.number_input(
                        tr(f"field.{name}"),
                        min_value=0,
                        step=1,
                        value=current,
                        key=wkey(prefix, name),
                    )
                field_error(prefix, name)
        may_restate = can(actor.role, Permission.CLOSE_QUARTER)
        reason = None
        if may_restate:
            reason = st.text_input(tr("restate.reason"), key=wkey(prefix, "restate_reason"))
            field_error(prefix, "reason")
        other_errors(prefix, {"quarter", "year", "reason", *FIGURE_FIELDS})
        submitted = st.form_submit_button(tr("common.save"), type="primary")
    if not submitted:
        return
    try:
        with session() as s:
            if report is None:
                saved = save_new_outcome_report(
                    s,
                    actor,
                    company_id=view.id,
                    year=int(year),
                    quarter=int(quarter),
                    figures=figures,
                    reason=reason,
                )
            else:
                opened = {f: getattr(report, f) for f in FIGURE_FIELDS}
                saved = save_outcome_report(
                    s,
                    actor,
                    report.id,
                    version=report.version,
                    changes=changed_fields(opened, figures),
                    reason=reason,
                )
    except RestatementNeeded as exc:
        if not exc.may_restate:  # no reason field for this role: say whom to ask
            st.error(exc.errors[0].message(lang))
            return
        set_errors(prefix, exc)
        st.rerun()
    except ValidationError as exc:
        set_errors(prefix, exc)
        st.rerun()
    except ConflictError:
        st.error(tr("conflict.stale"))
        return
    except CRMError as exc:
        st.error(exc.message(lang))
        return
    clear_errors(prefix)
    reset_widgets(prefix)
    reset_widgets(f"co{view.id}")
    state.flash(tr("restate.done") if saved.restated else tr("outcome.saved"))
    st.rerun()


def _audit(actor: Actor, view: CompanyView) -> None:
    lang = language()
    with session() as s:
        found = company_history(s, actor, view.id)
    if not found.entries:
        st.info(tr("history.none"))
        return
    st.caption(tr("history.zone_caption", zone=zone_label()))
    st.dataframe(history_table(found, lang), hide_index=True, width="stretch")
