"""Small AppTest helpers: find widgets by key or label, click form buttons, read the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest


def button(at: AppTest, label: str, index: int = 0) -> Any:
    """The index-th button with this label (forms on one page may share a label)."""
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in at.button]}"
    return matches[index]


def submit(at: AppTest, label: str, index: int = 0) -> AppTest:
    button(at, label, index).click().run()
    assert not at.exception, at.exception
    return at


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as c:
        return c.execute(text(sql), params).scalar()


def row(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as c:
        return c.execute(text(sql), params).one()


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def expand(at: AppTest, key: str) -> AppTest:
    """Open a lazy expander (`on_change="rerun"`, keyed): its content runs from the next run."""
    at.session_state[key] = True
    return at.run()
