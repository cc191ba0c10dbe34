"""Restatements in words (Reports page, About sheet): which record, what changed, in names."""

from __future__ import annotations

KO: dict[str, str] = {
    "restatement.change.update": "{field} {old} → {new}",
    "restatement.change.set": "{field} 입력 — {new}",
    "restatement.change.clear": "{field} 삭제 (이전: {old})",
    "restatement.change.added": "마감 후 추가 — {values}",
    "restatement.change.added_bare": "마감 후 추가",
    "restatement.change.unknown": "변경 내용 기록 없음",
    "restatement.changes_join": "; ",
    "report.col.record": "대상",
    "report.col.change": "변경 내용",
}

EN: dict[str, str] = {
    "restatement.change.update": "{field} {old} → {new}",
    "restatement.change.set": "{field} set to {new}",
    "restatement.change.clear": "{field} cleared (was {old})",
    "restatement.change.added": "added after the close — {values}",
    "restatement.change.added_bare": "added after the close",
    "restatement.change.unknown": "no recorded change",
    "restatement.changes_join": "; ",
    "report.col.record": "Record",
    "report.col.change": "Change",
}
