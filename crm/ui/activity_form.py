"""Log a support activity (any kind, fields from the kind's spec) with the over-budget warning."""

from __future__ import annotations

from datetime import date

import streamlit as st

from crm.errors import ConflictError, CRMError, FieldError, ValidationError
from crm.importer.fields import AMOUNT_TWINS
from crm.models import ActivityStatus, Programme
from crm.quarters import Quarter
from crm.services import activities, programmes
from crm.services.activity_views import budget_check
from crm.services.actor import Actor
from crm.services.closing import is_closed
from crm.services.companies import get_company
from crm.services.permissions import Permission, can
from crm.services.reference import get_kind
from crm.services.saving import (
    RestatementNeeded,
    save_activity,
    save_cancellation,
    save_new_activity,
)
from crm.ui import format as fmt
from crm.ui import state
from crm.ui.actions import save_then_rerun
from crm.ui.choices import SEARCH_FIRST, company_matches
from crm.ui.data import session
from crm.ui.forms import (
    changed_fields,
    clear_errors,
    conflict_choice,
    field_error,
    field_help,
    kind_inputs,
    money_input,
    other_errors,
    reset_widgets,
    set_errors,
    wkey,
)
from crm.ui.kind_names import kind_names, name_of
from crm.ui.state import language, tr
from crm.ui.widget_state import label_for, relabelled

COMMON_FIELDS = {
    "programme_id",
    "start_on",
    "end_on",
    "status",
    "amount_krw",
    "notes",
    "company_id",
}


def programme_label(p: Programme, names: dict[str, str]) -> str:
    return f"{p.name} · {name_of(names, p.kind)}"


def fill_amount_twin(
    kind: str, amount: int | str | None, details: dict
) -> tuple[int | str | None, dict]:
    """Prototyping's budget and an investment's invested amount are the activity's amount too:
    when only one of the two is typed, the other gets the same value (as the importer does).
    The activity's amount is the one that counts as executed."""
    twin = AMOUNT_TWINS.get(kind)
    if twin is None:
        return amount, details
    if amount is None and isinstance(details.get(twin), int):
        return details[twin], details
    if isinstance(amount, int) and details.get(twin) is None:
        return amount, {**details, twin: amount}
    return amount, details


def log_activity_form(
    actor: Actor, key: str, *, company_id: int | None, companies: dict[int, str] | None = None
) -> None:
    """A form for one new activity; `companies` offers a company choice when none is fixed."""
    lang = language()
    with session() as s:
        catalogue = programmes.list_programmes(s)
    if not catalogue:
        return
    by_id = {p.id: p for p in catalogue}
    names = kind_names(lang)
    programme_id = st.selectbox(
        tr("field.programme_id"),
        list(by_id),
        format_func=lambda pid: programme_label(by_id[pid], names),
        placeholder=tr("common.choose_one"),
        key=relabelled(wkey(key, "programme")),
    )
    programme = by_id[programme_id]
    with session() as s:
        spec = get_kind(s, programme.kind).fields
    over_key = f"{key}_over_budget"
    restate_key = f"{key}__restate"  # the closed Quarter a manager is adding to
    chosen_company = company_id
    searched = company_id is None and companies is not None and len(companies) > SEARCH_FIRST
    if searched:
        assert companies is not None
        query = st.text_input(
            tr("support.company_search"),
            key=wkey(key, "company_search"),
            placeholder=tr("support.company_search_hint"),
        )
        offered = company_matches(companies, query)
        chosen_company = st.selectbox(
            tr("support.company"),
            list(offered),
            index=None,
            placeholder=tr("common.choose"),
            format_func=lambda cid: offered.get(cid) or companies.get(cid, ""),
            key=wkey(key, "company"),
        )
        field_error(key, "company_id")
    with st.form(f"{key}_form"):
        if company_id is None and companies is not None and not searched:
            chosen_company = st.selectbox(
                tr("support.company"),
                list(companies),
                index=None,
                placeholder=tr("common.choose"),
                format_func=lambda cid: companies[cid],
                key=wkey(key, "company"),
            )
            field_error(key, "company_id")
        c1, c2, c3 = st.columns(3)
        with c1:
            # Default inside the programme's year (a 2022 programme gets 2022 dates).
            first, last = date(programme.year, 1, 1), date(programme.year, 12, 31)
            start_on = st.date_input(
                tr("field.start_on"),
                value=min(max(date.today(), first), last),
                key=wkey(key, "start"),
            )
            field_error(key, "start_on")
        with c2:
            end_on = st.date_input(tr("field.end_on"), value=None, key=wkey(key, "end"))
            field_error(key, "end_on")
        with c3:
            statuses = [s.value for s in ActivityStatus if s != ActivityStatus.CANCELLED]
            status = st.selectbox(
                tr("field.status"),
                statuses,
                index=statuses.index(ActivityStatus.COMPLETED.value),
                format_func=label_for("status"),
                placeholder=tr("common.choose_one"),
                key=relabelled(wkey(key, "status")),
            )
        amount = money_input(
            tr("field.amount_krw"), None, wkey(key, "amount"), help=field_help("amount_krw")
        )
        field_error(key, "amount_krw")
        details = kind_inputs(spec, {}, key)
        notes = st.text_area(tr("field.notes"), key=wkey(key, "notes"))
        reason = None
        pending: Quarter | None = st.session_state.get(restate_key)
        if pending:
            st.warning(tr("restate.new_needed", year=pending.year, quarter=pending.number))
            reason = st.text_input(tr("restate.reason") + " *", key=wkey(key, "restate_reason"))
            field_error(key, "reason")
        other_errors(key, COMMON_FIELDS | {"reason"} | {f"details.{f['name']}" for f in spec})
        confirmed = False
        if st.session_state.get(over_key):
            for warning in st.session_state[over_key]:
                st.warning(warning)
            confirmed = st.checkbox(tr("activity.confirm_over_budget"), key=wkey(key, "confirm"))
        submitted = st.form_submit_button(tr("activity.log"), type="primary")
    if not submitted:
        return
    if chosen_company is None:  # no company picked: say so (not "company #0 was not found")
        set_errors(key, ValidationError([FieldError("company_id", "error.required")]))
        st.rerun()
    amount, details = fill_amount_twin(programme.kind, amount, details)
    new = activities.NewActivity(
        company_id=chosen_company,
        programme_id=programme_id,
        start_on=start_on,
        end_on=end_on,
        status=status,
        amount_krw=amount if amount is not None else 0,
        notes=notes or None,
        details=details,
    )
    try:
        with session() as s:
            typed = (
                new.amount_krw if isinstance(new.amount_krw, int) else 0
            )  # unread: refused below
            check = budget_check(s, programme_id, typed)
            warnings = []
            if start_on and start_on.year != programme.year:
                warnings.append(
                    tr("activity.outside_year", programme=programme.name, year=programme.year)
                )
            if check.over_budget:
                warnings.append(
                    tr(
                        "activity.over_budget",
                        programme=programme.name,
                        after=fmt.krw(check.after_krw, lang),
                        budget=fmt.krw(check.budget_krw, lang),
                    )
                )
            if warnings and not confirmed:
                st.session_state[over_key] = warnings
                st.rerun()
            saved = save_new_activity(s, actor, new, reason=reason)
    except RestatementNeeded as exc:
        if not exc.may_restate:
            set_errors(key, exc)
        elif pending == exc.quarter:  # the reason field was shown and left empty
            set_errors(key, ValidationError([FieldError("reason", "error.required")]))
        else:
            clear_errors(key)
            st.session_state[restate_key] = exc.quarter  # show the reason field, save again
        st.rerun()
    except ValidationError as exc:
        set_errors(key, exc)
        st.rerun()
    except CRMError as exc:
        st.error(exc.message(lang))
        return
    clear_errors(key)
    st.session_state.pop(over_key, None)
    st.session_state.pop(restate_key, None)
    reset_widgets(key)
    # The new generation of keys would start the picker on the first programme: keep the chosen.
    st.session_state[wkey(key, "programme")] = programme_id
    state.flash(tr("restate.done") if saved.restated else tr("activity.logged"))
    st.rerun()


def activity_heading(activity_id: int) -> str:
    """Whose activity, when and in which programme: "금남로보틱스 (가상) · 2022.11.15 · 멘토링 2022"
    (an officer recognises an activity by these, not by its number)."""
    with session() as s:
        activity = activities.get_activity(s, activity_id)
        company = get_company(s, activity.company_id).name_ko
        programme = programmes.get_programme(s, activity.programme_id).name
    return f"{company} · {fmt.day(activity.start_on, language())} · {programme}"


def edit_activity_form(actor: Actor, activity_id: int) -> None:
    """Edit or cancel one activity; a stale save merges or shows the clash side by side."""
    prefix = f"ea{activity_id}"
    opened_key = f"{prefix}__opened"
    with session() as s:
        if opened_key not in st.session_state:
            current = activities.get_activity(s, activity_id)
            st.session_state[opened_key] = current.model_dump()
        opened: dict = st.session_state[opened_key]
        programme = programmes.get_programme(s, opened["programme_id"])
        spec = get_kind(s, programme.kind).fields
    if opened["status"] == ActivityStatus.CANCELLED.value:
        st.info(tr("error.activity_cancelled"))
        return
    quarter = Quarter.of(opened["start_on"])
    period = {"year": quarter.year, "quarter": quarter.number}
    with session() as s:
        closed = is_closed(s, quarter.year, quarter.number)  # what to show; saving decides again
    if closed and not can(actor.role, Permission.CLOSE_QUARTER):
        st.info(tr("restate.not_allowed", **period))
        return
    if closed:
        st.warning(tr("restate.needed", **period))
    conflict_key = f"{prefix}__conflict"
    if conflict_key in st.session_state:
        clashes, changes = st.session_state[conflict_key]
        choice = conflict_choice(prefix, clashes, EDITABLE)
        if choice == "keep":
            del st.session_state[conflict_key]
            with session() as s:
                st.session_state[opened_key] = activities.get_activity(s, activity_id).model_dump()
            _save_activity(
                actor,
                activity_id,
                st.session_state[opened_key]["version"],
                changes,
                prefix,
                reason=st.session_state.get(f"{prefix}__reason"),
            )
        if choice == "drop":
            del st.session_state[conflict_key]
            st.session_state.pop(opened_key, None)
            reset_widgets(prefix)
            st.rerun()
    with st.form(f"{prefix}_form"):
        c1, c2, c3, c4 = st.columns(4)
        with c1:
            start_on = st.date_input(
                tr("field.start_on"), value=opened["start_on"], key=wkey(prefix, "start")
            )
            field_error(prefix, "start_on")
        with c2:
            end_on = st.date_input(
                tr("field.end_on"), value=opened["end_on"], key=wkey(prefix, "end")
            )
            field_error(prefix, "end_on")
        with c3:
            statuses = [s.value for s in ActivityStatus if s != ActivityStatus.CANCELLED]
            status = st.selectbox(
                tr("field.status"),
                statuses,
                index=statuses.index(opened["status"]),
                format_func=label_for("status"),
                placeholder=tr("common.choose_one"),
                key=relabelled(wkey(prefix, "status")),
            )
        with c4:
            amount = money_input(
                tr("field.amount_krw"),
                int(opened["amount_krw"]),
                wkey(prefix, "amount"),
                help=field_help("amount_krw"),
            )
            field_error(prefix, "amount_krw")
        details = kind_inputs(spec, opened["details"] or {}, prefix)
        notes = st.text_area(
            tr("field.notes"), value=opened["notes"] or "", key=wkey(prefix, "notes")
        )
        reason = None
        if closed or st.session_state.get(f"{prefix}__restate"):  # closed, or moved into one
            reason = st.text_input(tr("restate.reason") + " *", key=wkey(prefix, "restate_reason"))
            field_error(prefix, "reason")
        other_errors(prefix, COMMON_FIELDS | {"reason"} | {f"details.{f['name']}" for f in spec})
        submitted = st.form_submit_button(tr("common.save"), type="primary")
    if submitted:
        entered = {
            "start_on": start_on,
            "end_on": end_on,
            "status": status,
            "amount_krw": amount if amount is not None else 0,
            "notes": notes,
            "details": details,
        }
        changes = changed_fields({k: opened[k] for k in entered}, entered)
        if not changes:
            st.info(tr("company.no_changes"))
        else:
            st.session_state[f"{prefix}__reason"] = reason
            _save_activity(actor, activity_id, opened["version"], changes, prefix, reason=reason)
    with st.form(f"{prefix}_cancel_form"):
        why = st.text_input(tr("activity.cancel_reason"), key=wkey(prefix, "reason"))
        if st.form_submit_button(tr("activity.cancel"), icon=":material/block:"):
            save_then_rerun(
                lambda s: save_cancellation(
                    s, actor, activity_id, version=opened["version"], reason=why
                ),
                tr("activity.cancelled"),
                reset=prefix,
                forget=(opened_key,),
            )


EDITABLE = ("start_on", "end_on", "status", "amount_krw", "notes", "details")


def _save_activity(
    actor: Actor,
    activity_id: int,
    version: int,
    changes: dict,
    prefix: str,
    *,
    reason: str | None = None,
) -> None:
    """Save what was typed; the service makes it a restatement when the quarter is closed."""
    try:
        with session() as s:
            saved = save_activity(
                s, actor, activity_id, version=version, changes=changes, reason=reason
            )
    except RestatementNeeded as exc:
        st.session_state[f"{prefix}__restate"] = exc.may_restate  # show the reason field
        set_errors(prefix, exc)
        st.rerun()
    except ValidationError as exc:
        set_errors(prefix, exc)
        st.rerun()
    except ConflictError as exc:
        st.session_state[f"{prefix}__conflict"] = (exc.clashes, changes)
        st.rerun()
    except CRMError as exc:
        st.error(exc.message(language()))
        return
    clear_errors(prefix)
    st.session_state.pop(f"{prefix}__opened", None)
    st.session_state.pop(f"{prefix}__restate", None)
    reset_widgets(prefix)
    state.flash(tr("restate.done") if saved.restated else tr("activity.saved"))
    st.rerun()
