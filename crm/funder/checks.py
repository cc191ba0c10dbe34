"""An uploaded funder form checked before anything reads it as a workbook.

Hostile files are refused as the importer refuses them (size, zip bombs, DTDs in any XML part:
crm.importer.xlsxcheck); macro workbooks (.xlsm, a vbaProject) are refused; what openpyxl cannot
keep through a fill (charts, images, drawings, pivot tables, slicers, Excel 2010 extensions) is
named so the manager knows before filling, and so are links to other workbooks (kept, but the
filled file still depends on those files)."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from crm.errors import CRMError
from crm.importer.errors import ImportRefused
from crm.importer.limits import ImportLimits
from crm.importer.xlsxcheck import inspect_zip

# Part-name prefixes (lower case) -> the feature code shown to the manager.
FEATURE_PARTS = (
    ("xl/charts/", "charts"),
    ("xl/chartsheets/", "charts"),
    ("xl/media/", "images"),
    ("xl/pivottables/", "pivot_tables"),
    ("xl/pivotcache/", "pivot_tables"),
    ("xl/externallinks/", "external_links"),
    ("xl/slicers/", "slicers"),
    ("xl/drawings/vmldrawing", "comments_drawings"),
    ("xl/drawings/", "drawings"),
)


# Kept by a fill (openpyxl keeps links to other workbooks) but worth a word: the filled file
# still refers to files its readers may not have.
KEPT_WITH_NOTE = frozenset({"external_links"})


def lost_features(codes: list[str]) -> list[str]:
    """The features a fill drops (of those found at upload)."""
    return [c for c in codes if c not in KEPT_WITH_NOTE]


class TemplateRefused(CRMError):
    key = "funder.refused.generic"


def _features(names: list[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        lowered = name.lower()
        for prefix, code in FEATURE_PARTS:
            if lowered.startswith(prefix):
                if code not in found:
                    found.append(code)
                break
    # Drawings only matter on their own when nothing more specific explains them.
    if "drawings" in found and {"charts", "images"} & set(found):
        found.remove("drawings")
    if "comments_drawings" in found:
        found.remove("comments_drawings")  # legacy drawing of cell comments: openpyxl keeps them
    return found


def inspect_template(data: bytes, filename: str, limits: ImportLimits) -> list[str]:
    """The codes of what the form holds that a fill cannot keep; TemplateRefused or the
    importer's ImportRefused when it may not be used at all."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise TemplateRefused("funder.refused.macros")
    if suffix != ".xlsx":
        raise TemplateRefused("funder.refused.file_type", suffix=suffix or "-")
    if not data:
        raise ImportRefused("importer.refused.empty")
    if len(data) > limits.max_bytes:
        raise ImportRefused(
            "importer.refused.too_large",
            size_mb=round(len(data) / 2**20, 1),
            max_mb=limits.max_bytes // 2**20,
        )
    try:  # the importer's hostile-file checks (size of the parts, entities, macros)
        names = inspect_zip(data, limits, external_links_allowed=True)
    except ImportRefused as refused:
        if refused.key == "importer.refused.macros":
            raise TemplateRefused("funder.refused.macros") from refused
        raise
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        extended = _extensions(zf, names)
    return _features(names) + extended


# Excel 2010+ extensions inside a sheet part that openpyxl drops on loading.
EXTENSIONS = (
    (b"x14:dataValidation", "extended_validations"),
    (b"x14:conditionalFormatting", "extended_conditional_formats"),
    (b"x14:sparklineGroup", "sparklines"),
)


def _extensions(zf: zipfile.ZipFile, names: list[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        if name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml"):
            data = zf.read(name)
            for marker, code in EXTENSIONS:
                if marker in data and code not in found:
                    found.append(code)
    return found
