"""Upload checks of a funder form: what cannot be kept is named, hostile or macro files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from crm.funder.checks import TemplateRefused, inspect_template
from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from tests.funder_forms import form_bytes

LIMITS = ImportLimits(max_bytes=2 * 2**20, max_rows=100_000)


def with_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        for name, body in parts.items():
            target.writestr(name, body)
    return out.getvalue()


def test_a_plain_form_holds_nothing_that_is_lost() -> None:
    assert inspect_template(form_bytes(), "양식.xlsx", LIMITS) == []


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"xl/pivotTables/pivotTable1.xml": b"<x/>"}, ["pivot_tables"]),
        ({"xl/pivotCache/pivotCacheDefinition1.xml": b"<x/>"}, ["pivot_tables"]),
        ({"xl/slicers/slicer1.xml": b"<x/>"}, ["slicers"]),
        ({"xl/drawings/drawing1.xml": b"<x/>"}, ["drawings"]),
        ({"xl/drawings/drawing1.xml": b"<x/>", "xl/media/image1.png": b"png"}, ["images"]),
        ({"xl/drawings/vmlDrawing1.vml": b"<x/>"}, []),  # cell comments: kept by openpyxl
        ({"xl/externalLinks/externalLink1.xml": b"<x/>"}, ["external_links"]),
    ],
)
def test_what_cannot_be_kept_is_named(parts: dict[str, bytes], expected: list[str]) -> None:
    assert inspect_template(with_parts(form_bytes(), parts), "f.xlsx", LIMITS) == expected


def test_excel_2010_extensions_in_a_sheet_are_named() -> None:
    data = form_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    extended = sheet.replace(
        b"</worksheet>",
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b"<x14:dataValidations/></ext></extLst></worksheet>",
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info, extended if info.filename == "xl/worksheets/sheet1.xml" else body)
    assert inspect_template(out.getvalue(), "f.xlsx", LIMITS) == ["extended_validations"]


def test_charts_are_named() -> None:
    assert inspect_template(form_bytes(chart=True), "f.xlsx", LIMITS) == ["charts"]


@pytest.mark.parametrize(
    ("filename", "data", "key"),
    [
        ("f.xlsm", form_bytes(), "funder.refused.macros"),
        ("f.XLTM", form_bytes(), "funder.refused.macros"),
        ("f.xlsx", with_parts(form_bytes(), {"xl/vbaProject.bin": b"x"}), "funder.refused.macros"),
        ("f.csv", b"a,b", "funder.refused.file_type"),
        ("f", form_bytes(), "funder.refused.file_type"),
        ("f.xlsx", b"", "importer.refused.empty"),
        ("f.xlsx", b"PK\x03\x04 broken", "importer.refused.not_zip"),
        ("f.xlsx", b"x" * (2 * 2**20 + 1), "importer.refused.too_large"),
        (
            "f.xlsx",
            with_parts(form_bytes(), {"xl/big.xml": b"<a>" + b" " * (41 * 2**20) + b"</a>"}),
            "importer.refused.zip_bomb",
        ),
        (
            "f.xlsx",
            with_parts(form_bytes(), {"xl/e.xml": b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a/>'}),
            "importer.refused.xml_entities",
        ),
    ],
)  # fmt: skip
def test_refused(filename: str, data: bytes, key: str) -> None:
    with pytest.raises((TemplateRefused, ImportRefused)) as refused:
        inspect_template(data, filename, LIMITS)
    assert refused.value.key == key


def test_external_links_are_named_but_not_counted_as_lost() -> None:
    from crm.funder.checks import lost_features

    assert lost_features(["external_links", "charts", "sparklines"]) == ["charts", "sparklines"]
