"""The company's portal page: opened by its personal link (?t=…), no account, no sidebar. It
shows that company's form only; any bad link gets the one generic refusal and nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from crm.config import get_settings
from crm.errors import CRMError, ValidationError
from crm.portal import answers
from crm.portal.answers import EDITABLE
from crm.portal.evidence import EvidenceRefused
from crm.portal.flags import TYPED_EVIDENCE
from crm.portal.links import PortalRefused
from crm.portal.requests import Answer
from crm.ui import format as fmt
from crm.ui import layout, nav, state
from crm.ui.data import session
from crm.ui.forms import money_input
from crm.ui.state import tr
from crm.validation import is_money_field

TOKEN_PARAM = "t"
_FLASH = "portal_flash"


def _client() -> str | None:
    """The client's address (for throttling failed links); None where Streamlit has none."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 (AppTest has no request context)
        return None
    return address if isinstance(address, str) else None


def _token() -> str | None:
    value = st.query_params.get(TOKEN_PARAM)
    return value if isinstance(value, str) else None


def _figure_text(name: str, value: Any) -> str:
    return fmt.figure(name, value, state.language())


def _period(answer: Answer) -> str:
    return tr("portal.period", year=answer.request.year, quarter=answer.request.quarter)


def _company(answer: Answer) -> str:
    if state.language() == "en" and answer.name_en:
        return answer.name_en
    return answer.name_ko


def _header(answer: Answer) -> None:
    st.title(tr("portal.title"))
    st.markdown(
        tr(
            "portal.intro",
            company=_company(answer),
            period=_period(answer),
            due=fmt.day(answer.request.due_on, state.language()),
        )
    )
    st.caption(tr("portal.demo_notice"))


def _previous(answer: Answer) -> None:
    if answer.previous is None or answer.previous_period is None:
        st.caption(tr("portal.previous_none"))
        return
    year, quarter = answer.previous_period
    with st.expander(tr("portal.previous", period=tr("portal.period", year=year, quarter=quarter))):
        for name in answer.request.fields:
            st.markdown(
                f"{tr(f'field.{name}')}: **{_figure_text(name, answer.previous.get(name))}**"
            )


def _evidence(answer: Answer, token: str, editable: bool) -> None:
    st.subheader(tr("portal.evidence"))
    for name in answer.request.fields:
        kind = answer.request.evidence.get(name, "none")
        if kind != "none":
            st.caption(f"{tr(f'field.{name}')}: {tr(f'portal.evidence_kind.{kind}')}")
    if not answer.evidence:
        st.caption(tr("portal.evidence_none"))
    for item in answer.evidence:
        cols = st.columns([4, 1])
        size_kb = fmt.number(item.size // 1024 or 1)
        cols[0].text(f"{item.filename} · {tr(f'field.{item.figure}')} · {size_kb} KB")
        if editable and cols[1].button(tr("portal.evidence_remove"), key=f"rm_{item.id}"):
            with session() as s:
                answers.remove_evidence(s, token, _client(), item.id)
            st.rerun()
    if not editable:
        return
    file_figures = [
        f for f in answer.request.fields if answer.request.evidence.get(f) not in TYPED_EVIDENCE
    ]
    with st.form("portal_evidence", clear_on_submit=True, enter_to_submit=False):
        figure = st.selectbox(
            tr("portal.evidence_for"),
            file_figures,
            format_func=lambda f: tr(f"field.{f}"),
            placeholder=tr("common.choose_one"),
        )
        settings = get_settings()
        upload = st.file_uploader(
            tr("portal.evidence_upload"),
            type=None,
            accept_multiple_files=False,
            max_upload_size=settings.evidence_max_mb,
        )
        st.caption(
            tr(
                "portal.evidence_limits",
                mb=settings.evidence_max_mb,
                files=settings.evidence_max_files,
            )
        )
        sent = st.form_submit_button(tr("portal.evidence_add"))
    if sent and (upload is None or not figure):
        st.error(tr("portal.evidence_choose"))
        return
    if sent and upload is not None and figure:
        try:
            with session() as s:
                answers.add_evidence(
                    s, token, _client(), figure=figure, filename=upload.name, data=upload.getvalue()
                )
        except EvidenceRefused as exc:
            st.error(exc.message(state.language()))
            return
        st.session_state[_FLASH] = "portal.evidence_added"
        st.rerun()


def _form(answer: Answer, token: str) -> None:
    st.subheader(tr("portal.this_period"))
    # No "Press Enter to submit form" (Streamlit's English hint, drawn over the next field on a
    # phone): the draft and submit buttons are the way to save.
    with st.form("portal_answer", enter_to_submit=False):
        values: dict[str, Any] = {}
        for name in answer.request.fields:
            current = answer.figures.get(name)
            if is_money_field(name):  # typed as offices write amounts: 65,000,000 · 6,500만원
                values[name] = money_input(
                    tr(f"field.{name}"),
                    int(current) if isinstance(current, int) else None,
                    f"fig_{name}",
                )
                continue
            values[name] = st.number_input(
                tr(f"field.{name}"),
                min_value=0,
                step=1,
                value=int(current) if isinstance(current, int) else None,
                key=f"fig_{name}",
            )
        patents = st.text_area(tr("portal.patents"), value="\n".join(answer.patents))
        # Ticked for each submission: a saved draft's name is no declaration.
        agreed = st.checkbox(tr("portal.declaration"), value=False)
        name = st.text_input(tr("portal.declared_name"), value=answer.declared_name or "")
        day = st.date_input(tr("portal.declared_on"), value=answer.declared_on or date.today())
        cols = st.columns(2)
        draft = cols[0].form_submit_button(tr("portal.save_draft"))
        submit = cols[1].form_submit_button(tr("portal.submit"), type="primary")
    if not (draft or submit):
        return
    if submit and not agreed:
        st.error(tr("portal.declaration_required"))
        return
    try:
        with session() as s:
            answers.save(
                s,
                token,
                _client(),
                # Unreadable amounts go as typed: the service says so with the amount message.
                figures={
                    k: (int(v) if isinstance(v, int | float) else v) for k, v in values.items()
                },
                patents=patents.splitlines(),
                declared_name=name or None,
                declared_on=day if isinstance(day, date) else None,
                submit=bool(submit),
            )
    except ValidationError as exc:
        for field, message in exc.messages(state.language()).items():
            label = tr(f"field.{field}") if field in answer.request.fields else ""
            st.error(f"{label}: {message}" if label else message)
        return
    st.session_state[_FLASH] = "portal.submitted" if submit else "portal.saved_draft"
    st.rerun()


def _read_only(answer: Answer) -> None:
    key = (
        "portal.status_locked_accepted"
        if answer.status == "accepted"
        else "portal.status_locked_submitted"
    )
    st.success(tr(key))
    for name in answer.request.fields:
        st.markdown(f"{tr(f'field.{name}')}: **{_figure_text(name, answer.figures.get(name))}**")


def render() -> None:
    st.set_page_config(page_title=tr("portal.title"), page_icon="🌱", layout="centered")
    layout.apply()
    nav.language_switch(None)
    token = _token()
    try:
        with session() as s:
            answer = answers.view(s, token, _client())
    except PortalRefused as exc:
        st.error(exc.message(state.language()))
        st.stop()
        return
    assert token is not None
    _header(answer)
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(tr(flash))
    if answer.status == "changes_requested" and answer.review_comment:
        st.warning(tr("portal.changes_requested", comment=answer.review_comment))
    _previous(answer)
    editable = answer.status in EDITABLE
    try:
        if editable:
            _form(answer, token)
        else:
            _read_only(answer)
        _evidence(answer, token, editable)
    except PortalRefused as exc:
        st.error(exc.message(state.language()))
    except CRMError as exc:
        st.error(exc.message(state.language()))
