"""What each kind of import can fill: target fields, their value types and header aliases.

Aliases are compared after `mapping.normalise_header` (case, spaces, brackets and units removed),
so "사업자등록번호(10자리)" and "Business Registration Number" need no alias of their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crm.i18n import CATALOGUES, t
from crm.importer.model import ImportKind
from crm.kinds.spec import KindField, kind_fields
from crm.services.reference import BUILTIN_KIND_ROWS
from crm.validation import MONEY_TYPE


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # how cells are parsed: see parsing.parse_value
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # for type "choice": the stored codes
    # For a kind's choice field: (label or code, stored code) in both languages, so a cell that
    # holds a choice's label (as the template's drop-down list writes it) reads as its code.
    choice_synonyms: tuple[tuple[str, str], ...] = ()


def words(text: str) -> tuple[str, ...]:
    """Aliases written as one space-separated string (each already normalised: no spaces)."""
    return tuple(text.split())


COMPANY_NAME = words(
    "회사명 기업명 업체명 상호 상호명 법인명 회사 기업 업체 기업이름 회사명국문 "
    "국문회사명 국문기업명 "
    "company companyname name startup startupname firm firmname organisation organization"
)
BRN = words(
    "사업자등록번호 사업자번호 사업자등록 등록번호 brn businessregistrationnumber businessnumber "
    "registrationnumber bizno"
)
INDUSTRY = words("업종 산업 산업분야 업태 industry sector industryvertical vertical")
LOCATION = words(
    "소재지 주소 지역 위치 사업장주소 본사주소 주소지 location address city citylocation region"
)
FOUNDED = words(
    "설립일 설립일자 설립연도 설립년도 설립년월일 창업일 개업일 개업일자 founded foundedon "
    "foundingdate established datefounded incorporationdate"
)
OFFICER = words("담당자 담당 담당관 전담관리자 담당매니저 officer programofficer")
NOTES = words("비고 메모 참고 특이사항 notes note remarks remark memo comments comment")

COMPANY_FIELDS: list[FieldSpec] = [
    FieldSpec("name_ko", "name", COMPANY_NAME),
    FieldSpec(
        "name_en", "text", words("영문회사명 영문명 영문기업명 회사명영문 englishname nameen")
    ),
    FieldSpec("brn", "brn", BRN),
    FieldSpec(
        "representative",
        "text",
        words("대표자 대표자명 대표 대표이사 대표자성명 ceo representative ceoname"),
    ),
    FieldSpec("founded_on", "date", FOUNDED),
    FieldSpec("industry", "industry", INDUSTRY),
    FieldSpec("ai_field", "text", words("ai분야 ai기술분야 기술분야 aifield aitechnology")),
    FieldSpec("location", "text", LOCATION),
    FieldSpec("email", "text", words("이메일 전자우편 메일 이메일주소 email mail")),
    FieldSpec(
        "phone",
        "text",
        words("전화번호 연락처 전화 휴대폰 핸드폰 대표전화 phone tel telephone mobile contact"),
    ),
    FieldSpec("officer", "officer", OFFICER),
    FieldSpec(
        "cohort_year",
        "year",
        words("기수 선정연도 선정년도 참여연도 사업연도 지원연도 cohort cohortyear year"),
    ),
    FieldSpec(
        "stage", "stage", words("단계 성장단계 창업단계 기업단계 현재단계 stage currentstage")
    ),
    FieldSpec(
        "stage_since",
        "date",
        words(
            "단계시작일 단계일자 입주일 선정일 협약일 참여일 stagesince since stagedate enteredon"
        ),
    ),
    FieldSpec("notes", "notes", (*NOTES, *words("사업내용 주요사업 description"))),
]

ACTIVITY_FIELDS: list[FieldSpec] = [
    FieldSpec("company", "name", COMPANY_NAME),
    FieldSpec("brn", "brn", BRN),
    FieldSpec(
        "programme",
        "programme",
        words("지원사업 지원사업명 사업명 프로그램 프로그램명 programme program programmename"),
    ),
    FieldSpec(
        "kind", "kind", words("지원유형 지원종류 지원구분 지원분야 유형 구분 kind supportkind type")
    ),
    FieldSpec(
        "start_on",
        "date",
        words(
            "일자 날짜 지원일 지원일자 시작일 시작일자 실시일 일시 활동일 투자일 투자일자 "
            "date start startdate starton"
        ),
    ),
    FieldSpec("end_on", "date", words("종료일 종료일자 완료일 end enddate endon")),
    FieldSpec("status", "status", words("상태 진행상태 진행현황 status")),
    FieldSpec(
        "amount_krw",
        "krw",
        words(
            "금액 지원금액 지원액 집행액 집행금액 사업비 amount amountkrw amountinusd amountusd "
            "amountinkrw"
        ),
    ),
    FieldSpec("officer", "officer", OFFICER),
    FieldSpec("notes", "notes", NOTES),
    # Used only to create a company the database does not have yet.
    FieldSpec("industry", "industry", INDUSTRY),
    FieldSpec("location", "text", LOCATION),
    FieldSpec("founded_on", "date", FOUNDED),
]

OUTCOME_FIELDS: list[FieldSpec] = [
    FieldSpec("company", "name", COMPANY_NAME),
    FieldSpec("brn", "brn", BRN),
    FieldSpec("year", "year", words("연도 년도 기준연도 보고연도 year")),
    FieldSpec("quarter", "quarter", words("분기 기준분기 보고분기 quarter q period 기간")),
    FieldSpec(
        "employees",
        "int",
        words(
            "고용인원 종업원수 종사자수 직원수 상시근로자수 임직원수 근로자수 employees headcount "
            "staff"
        ),
    ),
    FieldSpec("new_hires", "int", words("신규고용 신규채용 신규고용인원 채용인원 newhires hires")),
    FieldSpec("revenue_krw", "krw", words("매출 매출액 분기매출 revenue revenuekrw sales")),
    FieldSpec("patents_filed", "int", words("특허출원 출원 특허출원건수 patentsfiled")),
    FieldSpec("patents_registered", "int", words("특허등록 특허등록건수 patentsregistered")),
    FieldSpec(
        "investment_krw", "krw", words("투자유치 투자유치액 투자유치금액 investment investmentkrw")
    ),
    FieldSpec("exports_krw", "krw", words("수출 수출액 수출실적 exports exportskrw")),
    FieldSpec("notes", "notes", NOTES),
]

# Header aliases of the built-in kinds' own fields (other kinds match on the field name only).
DETAIL_ALIASES: dict[str, tuple[str, ...]] = {
    "mentor": words("멘토 멘토명 mentor mentorname"),
    "topic": words("주제 멘토링주제 자문분야 topic"),
    "hours": words("시간 멘토링시간 hours"),
    "vendor": words("제작업체 협력업체 vendor"),
    "deliverable": words("결과물 산출물 제작품 제작물 deliverable"),
    "budget": words("제작비 예산 budget"),
    "fund_name": words(
        "펀드명 펀드 투자사 투자자 투자기관 investor investors investorsname investorname fund "
        "fundname"
    ),
    "round": words("투자단계 라운드 투자라운드 투자유형 round investmentround investmenttype"),
    "invested_amount": words("투자금액 투자액 investedamount"),
    "country": words("국가 진출국 진출국가 country"),
    "programme_type": words("진출유형 세부유형 programmetype programtype"),
    "partner": words("파트너 바이어 협력사 파트너사 partner buyer"),
    "contract_amount": words("계약금액 계약액 수출계약액 contractamount"),
}
# How a kind field's declared type is read from a cell (parsing in crm/importer/rows.py).
DETAIL_TYPES = {
    "text": "text",
    "integer": "int",
    MONEY_TYPE: "krw",
    "decimal": "decimal",
    "hours": "decimal",
    "choice": "choice",
    "date": "date",
    "country": "country",
}
# Labels of the kind fields seen last by detail_fields (the database's kinds on the import page),
# so field_label names a field of any kind, not only the built-in ones.
_DECLARED: dict[str, KindField] = {}


# Kind fields that hold the same money as the activity's amount (filled from one another).
AMOUNT_TWINS: dict[str, str] = {"investment": "invested_amount", "prototyping": "budget"}


def kind_rows(kinds: Iterable[Any] | None) -> list[dict[str, Any]]:
    """Kinds as plain dicts (code, name_ko, name_en, fields) from SupportKind rows or dicts."""
    if kinds is None:
        return [dict(row) for row in BUILTIN_KIND_ROWS]
    out = []
    for kind in kinds:
        if isinstance(kind, dict):
            out.append(dict(kind))
        else:
            out.append(
                {
                    "code": kind.code,
                    "name_ko": kind.name_ko,
                    "name_en": kind.name_en,
                    "fields": list(kind.fields),
                }
            )
    return out


def detail_fields(kinds: Iterable[Any] | None = None) -> list[FieldSpec]:
    """One field per kind-specific field name (`details.<name>`), across all kinds, from the
    kinds' declarations: the cell type, the labels as header aliases, the current choices."""
    out: dict[str, FieldSpec] = {}
    seen: dict[str, KindField] = {}
    for kind in kind_rows(kinds):
        for declared in kind_fields(kind["fields"]):
            name = f"details.{declared.name}"
            if name in out:
                continue
            seen[declared.name] = declared
            aliases = (
                declared.name,
                declared.label_ko,
                declared.label_en,
                *DETAIL_ALIASES.get(declared.name, ()),
            )
            synonyms = tuple(
                (text, c.code)
                for c in declared.choices
                if not c.retired
                for text in (c.code, c.ko, c.en)
            )
            out[name] = FieldSpec(
                name,
                DETAIL_TYPES[declared.type],
                tuple(dict.fromkeys(aliases)),
                tuple(declared.choice_codes()),
                synonyms,
            )
    _DECLARED.update(seen)
    return list(out.values())


def detail_declaration(name: str, kinds: Iterable[Any] | None = None) -> KindField | None:
    """The declaration of `details.<name>` (or `<name>`) among the kinds (default: built-in)."""
    bare = name.removeprefix("details.")
    for kind in kind_rows(kinds):
        for declared in kind_fields(kind["fields"], include_retired=True):
            if declared.name == bare:
                return declared
    return _DECLARED.get(bare)


def fields_for(kind: ImportKind, kinds: Iterable[Any] | None = None) -> list[FieldSpec]:
    if kind == ImportKind.COMPANIES:
        return list(COMPANY_FIELDS)
    if kind == ImportKind.OUTCOMES:
        return list(OUTCOME_FIELDS)
    return [*ACTIVITY_FIELDS, *detail_fields(kinds)]


def field_label(name: str, lang: str = "ko") -> str:
    """The column header a person reads for a field (templates, the page's mapping widget)."""
    key = f"importer.field.{name}"
    if key in CATALOGUES["en"]:
        return t(key, lang)
    if name.startswith("company."):  # a field of a company an activity row would create
        own = field_label(name.removeprefix("company."), lang)
        return f"{t('importer.field.company', lang)} · {own}"
    if name.startswith("details."):
        declared = _DECLARED.get(name.removeprefix("details.")) or detail_declaration(name)
        if declared is not None:
            return declared.heading(lang)
    return name.removeprefix("details.")
