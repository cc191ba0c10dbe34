"""The Data requests page (officers, managers, admins): open a request (managers), send
reminders or links, the review queue with its counts, and one answer next to the company's
previous figures with accept / request changes / enter on the company's behalf."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from crm.config import get_settings
from crm.models import Industry
from crm.portal import reminders, requests
from crm.portal.requests import QUEUE_STATUSES, Answer, RequestInfo
from crm.quarters import Quarter
from crm.services.actor import Actor
from crm.services.company_views import CompanyFilters
from crm.services.outcomes import FIGURE_FIELDS
from crm.services.permissions import Permission, can
from crm.ui import format as fmt
from crm.ui import state
from crm.ui.actions import save_then_rerun
from crm.ui.data import session
from crm.ui.state import tr
from crm.ui.widget_state import relabelled

_LINKS = "requests_fresh_links"


def _period(request: RequestInfo) -> str:
    return tr("portal.period", year=request.year, quarter=request.quarter)


def _request_label(request: RequestInfo) -> str:
    return tr(
        "requests.option",
        period=_period(request),
        due=fmt.day(request.due_on, state.language()),
        created=fmt.day(request.created_at, state.language()),
    )


def _figure(name: str, value: Any) -> str:
    return fmt.figure(name, value, state.language())


def _company(name_ko: str, name_en: str | None) -> str:
    return name_en if state.language() == "en" and name_en else name_ko


def _open_form(actor: Actor) -> None:
    with st.expander(tr("requests.new"), icon=":material/add:"):
        with st.form("open_request"):
            cols = st.columns(3)
            # Figures are asked for the quarter just ended: the one the next report covers.
            ended = Quarter.of(date.today()).previous()
            year = cols[0].number_input(tr("requests.year"), 2000, 2100, ended.year)
            quarter = cols[1].selectbox(
                tr("requests.quarter"),
                [1, 2, 3, 4],
                index=ended.number - 1,
                format_func=lambda q: f"Q{q}",
                placeholder=tr("common.choose_one"),
            )
            due = cols[2].date_input(tr("requests.due"), date.today() + timedelta(days=14))
            fields = st.multiselect(
                tr("requests.fields"),
                list(FIGURE_FIELDS),
                default=list(FIGURE_FIELDS),
                format_func=lambda f: tr(f"field.{f}"),
                placeholder=tr("common.choose_many"),
            )
            st.caption(tr("requests.filters"))
            fcols = st.columns(3)
            cohort = fcols[0].number_input(
                tr("requests.cohort"), 2000, 2100, value=None, placeholder=tr("requests.any")
            )
            industries = fcols[1].multiselect(
                tr("requests.industries"),
                [i.value for i in Industry],
                format_func=lambda code: tr(f"industry.{code}"),
                placeholder=tr("common.choose_many"),
            )
            search = fcols[2].text_input(tr("requests.search"))
            with session() as s:
                choices = requests.company_choices(s, actor)
            names = {i: _company(ko, en) for i, ko, en in choices}
            picked = st.multiselect(
                tr("requests.companies"),
                list(names),
                format_func=lambda i: names[i],
                placeholder=tr("requests.companies_hint"),
            )
            sent = st.form_submit_button(tr("requests.open"), type="primary")
    if not sent:
        return

    def write(s: Any) -> None:
        filters = CompanyFilters(
            search=search or "",
            industries=tuple(industries),
            cohort_year=int(cohort) if cohort else None,
        )
        ids = list(picked) or requests.company_ids_matching(s, actor, filters)
        requests.open_request(
            s,
            actor,
            requests.NewRequest(
                year=int(year),
                quarter=int(quarter),
                due_on=due,
                company_ids=tuple(ids),
                fields=tuple(fields),
            ),
        )

    save_then_rerun(write, tr("requests.opened"))


def _counts(counts: dict[str, int]) -> None:
    keys = (
        "asked",
        "not_started",
        "draft",
        "submitted",
        "changes_requested",
        "accepted",
        "overdue",
    )
    cols = st.columns(4)
    for i, key in enumerate(keys):
        cols[i % 4].metric(tr(f"portal.status.{key}"), fmt.number(counts.get(key, 0)))


def _reminders(actor: Actor, request: RequestInfo) -> None:
    st.subheader(tr("requests.reminders"))
    if get_settings().smtp_url:
        if st.button(tr("requests.send_mail"), icon=":material/mail:"):
            with session() as s:
                result = reminders.send_reminders(s, actor, request.id)
            st.success(
                tr(
                    "requests.sent",
                    sent=len(result.sent),
                    failed=len(result.failed),
                    no_email=len(result.no_email),
                )
            )
        return
    st.caption(tr("requests.no_smtp"))
    if st.button(tr("requests.make_links"), icon=":material/link:"):
        with session() as s:
            fresh = reminders.issue_links(s, actor, request.id)
        st.session_state[_LINKS] = (request.id, fresh)
    held = st.session_state.get(_LINKS)
    if held and held[0] == request.id:
        fresh = held[1]
        st.text_area(
            tr("requests.links"),
            "\n".join(f"{_company(r.name_ko, r.name_en)}\t{r.link}" for r in fresh),
            height=160,
        )
        st.download_button(
            tr("requests.merge_download"),
            reminders.mail_merge_workbook(request, fresh, state.language()),
            file_name=f"data-request-{request.id}-links.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def _queue(actor: Actor, request: RequestInfo) -> int | None:
    status = st.selectbox(
        tr("requests.status_filter"),
        [None, *QUEUE_STATUSES],
        format_func=lambda s: tr("requests.all") if s is None else tr(f"portal.status.{s}"),
        placeholder=tr("common.choose_one"),
        key=relabelled("requests_status"),
    )
    with session() as s:
        queue = requests.review_queue(s, actor, request.id, status=status, page_size=500)
    _counts(queue.counts)
    if not queue.rows:
        st.caption(tr("requests.empty"))
        return None
    frame = pd.DataFrame(
        {
            tr("requests.col.company"): [_company(r.name_ko, r.name_en) for r in queue.rows],
            tr("requests.col.status"): [
                tr("portal.status.overdue") if r.overdue else tr(f"portal.status.{r.status}")
                for r in queue.rows
            ],
            tr("requests.col.submitted"): [
                fmt.day(r.submitted_at, state.language()) if r.submitted_at else "-"
                for r in queue.rows
            ],
            tr("requests.col.evidence"): [r.evidence_count for r in queue.rows],
        }
    )
    picked = st.dataframe(
        frame, hide_index=True, on_select="rerun", selection_mode="single-row", key="queue"
    )
    rows = picked.selection.rows if picked is not None else []
    options = [r.ask_id for r in queue.rows]
    names = {r.ask_id: _company(r.name_ko, r.name_en) for r in queue.rows}
    default = options.index(options[rows[0]]) if rows else 0
    key = relabelled("pick")  # a company's name follows a language switch
    return st.selectbox(
        tr("requests.pick"),
        options,
        index=default,
        format_func=lambda a: names[a],
        key=key,
        placeholder=tr("common.choose_one"),
    )


def _side_by_side(answer: Answer) -> None:
    period = (
        tr("portal.period", year=answer.previous_period[0], quarter=answer.previous_period[1])
        if answer.previous_period
        else tr("requests.none")
    )
    frame = pd.DataFrame(
        {
            tr("requests.col.figure"): [tr(f"field.{f}") for f in answer.request.fields],
            tr("requests.col.previous", period=period): [
                _figure(f, (answer.previous or {}).get(f)) for f in answer.request.fields
            ],
            tr("requests.col.answer"): [
                _figure(f, answer.figures.get(f)) for f in answer.request.fields
            ],
        }
    )
    st.table(frame.set_index(tr("requests.col.figure")))


def _answer(actor: Actor, ask_id: int) -> None:
    with session() as s:
        answer = requests.answer_for_review(s, actor, ask_id)
    st.subheader(_company(answer.name_ko, answer.name_en))
    label = "overdue" if answer.overdue else answer.status
    st.markdown(f"{tr('requests.col.status')}: **{tr(f'portal.status.{label}')}**")
    _side_by_side(answer)
    for flag in answer.flags:
        st.warning(f"{tr(f'field.{flag.field}')}: {tr(flag.key, **flag.params)}")
    if answer.patents:
        st.text(tr("requests.patents") + ": " + ", ".join(answer.patents))
    if answer.declared_name:
        st.text(
            tr(
                "requests.declared",
                name=answer.declared_name,
                day=fmt.day(answer.declared_on, state.language()),
            )
        )
    if answer.review_comment:
        st.caption(tr("requests.last_comment", comment=answer.review_comment))
    _evidence(actor, answer)
    if answer.status == "submitted":
        if st.button(tr("requests.accept"), type="primary", key=f"accept_{ask_id}"):
            save_then_rerun(
                lambda s: requests.accept(s, actor, ask_id, version=answer.version),
                tr("requests.accepted"),
            )
        with st.form(f"changes_{ask_id}"):  # a refused comment stays to be corrected
            comment = st.text_area(tr("requests.comment"))
            if st.form_submit_button(tr("requests.request_changes")):
                save_then_rerun(
                    lambda s: requests.request_changes(
                        s, actor, ask_id, version=answer.version, comment=comment
                    ),
                    tr("requests.changes_sent"),
                )
    if answer.status != "accepted":
        _on_behalf(actor, answer)
        if st.button(tr("requests.revoke"), key=f"revoke_{ask_id}"):
            save_then_rerun(
                lambda s: requests.revoke_link(s, actor, ask_id), tr("requests.revoked")
            )


def _evidence(actor: Actor, answer: Answer) -> None:
    st.markdown(f"**{tr('portal.evidence')}** ({fmt.number(len(answer.evidence))})")
    if not can(actor.role, Permission.VIEW_PERSONAL_DATA):
        return
    for item in answer.evidence:
        with session() as s:
            name, kind, data = requests.evidence_file(s, actor, item.id)
        st.download_button(
            f"{name} · {tr(f'field.{item.figure}')}",
            data,
            file_name=name,
            mime="application/octet-stream",  # always a download, never shown inline
            key=f"evidence_{item.id}",
        )


def _on_behalf(actor: Actor, answer: Answer) -> None:
    with st.expander(tr("requests.on_behalf")):
        with st.form(f"behalf_{answer.ask_id}"):
            values = {
                f: st.number_input(
                    tr(f"field.{f}"),
                    min_value=0,
                    step=1,
                    value=answer.figures.get(f) if isinstance(answer.figures.get(f), int) else 0,
                    key=f"behalf_{answer.ask_id}_{f}",
                )
                for f in answer.request.fields
            }
            sent = st.form_submit_button(tr("requests.on_behalf_save"))
    if sent:
        save_then_rerun(
            lambda s: requests.enter_on_behalf(
                s, actor, answer.ask_id, version=answer.version, figures=values
            ),
            tr("requests.accepted"),
            field_label=lambda f: tr(f"field.{f}"),
        )


def render(actor: Actor) -> None:
    st.title(tr("nav.requests"))
    state.show_flash()
    if can(actor.role, Permission.BUILD_REPORTS):
        _open_form(actor)
    with session() as s:
        all_requests = requests.list_requests(s, actor)
    if not all_requests:
        st.info(tr("requests.none_yet"))
        return
    by_id = {r.id: r for r in all_requests}
    request_id = st.selectbox(
        tr("requests.pick_request"),
        list(by_id),
        format_func=lambda i: _request_label(by_id[i]),
        key=relabelled("request"),
        placeholder=tr("common.choose_one"),
    )
    assert request_id is not None
    request = by_id[request_id]
    _reminders(actor, request)
    st.subheader(tr("requests.queue"))
    ask_id = _queue(actor, request)
    if ask_id is not None:
        st.divider()
        _answer(actor, ask_id)
