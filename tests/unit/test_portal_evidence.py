"""Evidence files: type by content (never by name), size limits, the importer's hostile-file
checks for workbooks, HWP read as a compound document with scripts refused."""

from __future__ import annotations

import io
import zipfile

import olefile
import pytest

from crm.portal.evidence import (
    EvidenceKind,
    EvidenceLimits,
    EvidenceRefused,
    check_file,
    display_name,
)
from crm.portal.flags import flag_answer
from tests.importer_files import rezip, with_xml_bomb, xlsx

LIMITS = EvidenceLimits(max_bytes=1024 * 1024, max_files=5)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


def _hwpx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        zf.writestr("Contents/section0.xml", "<?xml version='1.0'?><hs:sec xmlns:hs='x'/>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("명부.pdf", PDF, EvidenceKind.PDF),
        ("scan.txt", PNG, EvidenceKind.PNG),  # the name says nothing
        ("photo", b"\xff\xd8\xff\xe0" + b"\0" * 20, EvidenceKind.JPEG),
        ("roster.xlsx", xlsx([["이름", "가입일"], ["홍길동", "2022-10-01"]]), EvidenceKind.XLSX),
        ("계약서.hwpx", _hwpx(), EvidenceKind.HWPX),
    ],
)
def test_type_is_read_from_the_content(name: str, data: bytes, kind: EvidenceKind) -> None:
    checked = check_file(name, data, LIMITS)
    assert checked.kind == kind and checked.size == len(data) and len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "portal.evidence.empty"),
        (b"MZ\x90\x00" + b"\0" * 100, "portal.evidence.type"),  # an .exe called .pdf
        (b"<html><script>alert(1)</script>", "portal.evidence.type"),
        (b"%PDF-" + b"0" * (1024 * 1024), "portal.evidence.too_large"),
    ],
)
def test_refusals(data: bytes, key: str) -> None:
    with pytest.raises(EvidenceRefused) as err:
        check_file("evidence.pdf", data, LIMITS)
    assert err.value.key == key


def test_workbook_bombs_and_macros_are_refused() -> None:
    good = xlsx([["a"]])
    with pytest.raises(EvidenceRefused) as err:
        check_file("x.xlsx", with_xml_bomb(good), LIMITS)
    assert err.value.key == "portal.evidence.unsafe"
    with pytest.raises(EvidenceRefused) as err:
        check_file("x.xlsx", rezip(good, add={"xl/vbaProject.bin": b"\0" * 10}), LIMITS)
    assert err.value.key == "portal.evidence.macros"
    big = rezip(good, add={"xl/media/zeros.bin": b"\0" * (25 * 1024 * 1024)})
    with pytest.raises(EvidenceRefused) as err:
        check_file("x.xlsx", big, LIMITS)
    assert err.value.key == "portal.evidence.zip_bomb"
    with pytest.raises(EvidenceRefused) as err:
        check_file("x.hwpx", _hwpx({"Scripts/default.js": b"x"}), LIMITS)
    assert err.value.key == "portal.evidence.macros"


def test_an_ole_file_that_is_not_hwp_is_refused() -> None:
    # A minimal compound document without the HWP FileHeader stream (like a .doc or .xls).
    with pytest.raises(EvidenceRefused):
        check_file("x.hwp", olefile.MAGIC + b"\0" * 600, LIMITS)


def test_names_are_labels_never_paths() -> None:
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\a\\명부.pdf") == "명부.pdf"
    assert display_name("a\x00b\nc.pdf") == "abc.pdf"
    assert display_name("") == "evidence"


def test_flags() -> None:
    flags = flag_answer(
        {"employees": 9, "new_hires": 12, "revenue_krw": -1, "patents_filed": 2},
        {"employees": 3},
        evidence={"new_hires": "insurance_roster", "patents_filed": "patent_numbers"},
        evidence_figures=set(),
        patents=["10-2022-0000001"],
        claimed_elsewhere={"10-2022-0000001"},
    )
    assert [f.key for f in flags] == [
        "portal.flag.hires_above_employees",
        "portal.flag.employees_tripled",
        "portal.flag.negative",
        "portal.flag.patent_claimed",
        "portal.flag.patent_numbers_missing",
        "portal.flag.evidence_missing",
    ]
    assert (
        flag_answer(
            {"employees": 5, "new_hires": 1},
            {"employees": 4},
            evidence={"new_hires": "insurance_roster"},
            evidence_figures={"new_hires"},
            patents=[],
            claimed_elsewhere=set(),
        )
        == []
    )
