"""Every picker sets its placeholder from the catalogue: left unset, Streamlit shows its own
English ("Choose an option", "Choose options", "No options to select") inside the Korean UI."""

from __future__ import annotations

import ast
from pathlib import Path

from crm.config import PROJECT_ROOT
from crm.i18n import t

PICKERS = {"selectbox", "multiselect"}


def _sources() -> list[Path]:
    root = PROJECT_ROOT
    return sorted(
        [root / "Home.py", *(root / "pages").glob("*.py"), *(root / "crm/ui").glob("*.py")]
    )


def _pickers_without_placeholder(path: Path) -> list[str]:
    missing = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in PICKERS
            and not any(k.arg == "placeholder" for k in node.keywords)
        ):
            missing.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.func.attr}")
    return missing


def test_every_picker_has_a_placeholder() -> None:
    sources = _sources()
    assert len(sources) > 10
    missing = [where for path in sources for where in _pickers_without_placeholder(path)]
    assert missing == []


def test_placeholders_read_in_each_language() -> None:
    assert t("common.choose_one", "ko") == "고르세요"
    assert t("common.choose_many", "ko") == "하나 이상 고르세요"
    assert t("common.choose_one", "en") == "Choose one"
    assert "베트남" in t("common.country_hint", "ko")
