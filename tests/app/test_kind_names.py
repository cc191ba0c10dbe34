"""A kind an admin adds is shown by the name it was given, on every page that lists kinds (no
catalogue entry is written for it)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from crm.services import programmes
from crm.services.actor import actor_by_username
from crm.services.kinds import add_kind
from tests.app.conftest import OpenAs


def _add_voucher_kind(engine: Engine) -> None:
    with Session(engine) as s:
        admin = actor_by_username(s, "admin")
        add_kind(s, admin, code="gpu_voucher", name_ko="GPU 바우처", name_en="GPU vouchers")
        programmes.create_programme(
            s,
            admin,
            name="2022 GPU 바우처 (가상)",
            year=2022,
            kind="gpu_voucher",
            budget_krw=100_000_000,
            target_companies=5,
        )


def test_support_log_names_an_added_kind_in_its_filter_and_budget_table(
    open_as: OpenAs, app_db: Engine
) -> None:
    _add_voucher_kind(app_db)
    for lang, name in (("ko", "GPU 바우처"), ("en", "GPU vouchers")):
        at = open_as("manager", "pages/2_Support_log.py", lang=lang)
        kind_filter = at.multiselect(key="sl_kind")
        assert name in [kind_filter.format_func(o) for o in kind_filter.options]
        budget = next(
            d.value
            for d in at.dataframe
            if "gpu_voucher" in str(d.value.values) or name in str(d.value.values)
        )
        assert name in set(budget.iloc[:, 1]) and "gpu_voucher" not in set(budget.iloc[:, 1])


def test_home_programme_table_names_an_added_kind(open_as: OpenAs, app_db: Engine) -> None:
    _add_voucher_kind(app_db)
    at = open_as("manager")
    shown = " ".join(str(d.value.values) for d in at.dataframe)
    assert "GPU 바우처" in shown and "gpu_voucher" not in shown
