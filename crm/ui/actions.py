"""One write from a page: run it in its own session, then flash and rerun, or show why not."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st
from sqlmodel import Session

from crm.errors import ConflictError, CRMError, ValidationError
from crm.ui import state
from crm.ui.data import session
from crm.ui.forms import reset_widgets
from crm.ui.state import language, tr


def as_opened(key: str, current: dict[str, Any]) -> dict[str, Any]:
    """The record as its form first showed it (version and values), kept across reruns until a
    save or a reload forgets `key`: a save is compared with this, never with a fresh re-read."""
    return st.session_state.setdefault(key, current)


def save_then_rerun(
    write: Callable[[Session], object],
    done: str,
    *,
    field_label: Callable[[str], str] | None = None,
    reset: str | None = None,
    forget: Iterable[str] = (),
) -> None:
    """Run `write`; on success reset the form's widgets (`reset`), drop the `forget` keys (such as
    an `as_opened` record), flash `done` and rerun. A refused write shows its message and the
    page goes on: field errors are listed as "label: message" when `field_label` names them; a
    stale save says so and reloads the form (reset and forget) to show the latest values."""
    lang = language()
    try:
        with session() as s:
            write(s)
    except ConflictError:
        st.error(tr("conflict.stale"))
        _forget(reset, forget)
        return
    except ValidationError as exc:
        if field_label is None:
            st.error(exc.message(lang))
        else:
            for field, message in exc.messages(lang).items():
                st.error(f"{field_label(field)}: {message}")
        return
    except CRMError as exc:
        st.error(exc.message(lang))
        return
    _forget(reset, forget)
    state.flash(done)
    st.rerun()


def _forget(reset: str | None, forget: Iterable[str]) -> None:
    if reset is not None:
        reset_widgets(reset)
    for key in forget:
        st.session_state.pop(key, None)
