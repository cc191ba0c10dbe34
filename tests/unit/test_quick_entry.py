from __future__ import annotations

from datetime import date

import pandas as pd

from crm.ui.quick_entry import company_label, empty_frame, to_activities


def test_blank_rows_are_ignored_and_row_numbers_kept() -> None:
    frame = empty_frame(4, date(2022, 5, 2))
    label = company_label(7, "빛고을비전")
    frame.loc[1, ["company", "mentor", "topic", "hours", "amount_krw"]] = [
        label,
        "멘토",
        "IR",
        2.0,
        300000.0,
    ]
    frame.loc[3, ["mentor"]] = ["only a mentor"]
    acts, numbers = to_activities(frame, {label: 7}, programme_id=3)
    assert numbers == [2, 4]
    first = acts[0]
    assert (first.company_id, first.programme_id, first.start_on, first.amount_krw) == (
        7,
        3,
        date(2022, 5, 2),
        300_000,
    )
    assert first.details == {"mentor": "멘토", "topic": "IR", "hours": 2.0}
    assert acts[1].company_id == 0 and acts[1].details == {"mentor": "only a mentor"}


def test_timestamps_from_the_editor_become_dates() -> None:
    frame = empty_frame(1)
    frame["start_on"] = pd.Series([pd.Timestamp("2022-03-04")], dtype="object")
    frame.loc[0, "mentor"] = "m"
    acts, _ = to_activities(frame, {}, programme_id=1)
    assert acts[0].start_on == date(2022, 3, 4)
