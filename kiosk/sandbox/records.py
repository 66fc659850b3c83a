"""Records the government holds about a seed resident, generated deterministically (pure code).

Months count back from the month before ``today``, so a fresh sandbox always shows the last two
to six years. Money is a decimal string with two places ("1200.00"), ready to display.
The store writes these rows to SQLite once, when it seeds a new database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from identifiers.credit_code import make_uscc
from identifiers.elicence import make_elicence_id
from kiosk.sandbox.seed import SeedResident

PENSION_PERSONAL_RATE = Decimal("0.08")
PENSION_EMPLOYER_RATE = Decimal("0.16")
FLEXIBLE_RATE = Decimal("0.20")
MEDICAL_ACCOUNT_RATE = Decimal("0.02")
FUND_RATE = Decimal("0.07")
SENIOR_AGE_YEARS = 65

#: kind -> (title, columns)
RECORD_KINDS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "social-insurance-payments": (
        "社保缴费记录",
        [
            ("month", "缴费年月"),
            ("unit", "缴费单位"),
            ("base", "缴费基数"),
            ("personal", "个人缴纳"),
            ("employer", "单位缴纳"),
        ],
    ),
    "medical-insurance-account": (
        "医保账户",
        [
            ("date", "日期"),
            ("type", "类型"),
            ("amount", "金额"),
            ("balance", "余额"),
            ("place", "机构"),
        ],
    ),
    "provident-fund-deposits": (
        "公积金缴存明细",
        [
            ("month", "缴存年月"),
            ("unit", "缴存单位"),
            ("base", "缴存基数"),
            ("personal", "个人缴存"),
            ("employer", "单位缴存"),
            ("total", "合计"),
        ],
    ),
    "archives": (
        "个人档案存放",
        [("keeper", "存档机构"), ("type", "档案类型"), ("since", "转入日期"), ("status", "状态")],
    ),
    "applications": (
        "办件进度",
        [
            ("case_number", "办件编号"),
            ("service_title", "事项"),
            ("submitted", "提交时间"),
            ("status_label", "状态"),
        ],
    ),
}

TAX_KIND = "enterprise-tax"
SOCIAL_INSURANCE_KIND = "enterprise-social-insurance"
#: The enterprise record kinds (法人): kind -> (title, columns).
ENTERPRISE_RECORD_KINDS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    TAX_KIND: ("企业纳税记录", [("period", "所属期"), ("tax", "税种"), ("amount", "实缴金额"),
                               ("paid_on", "缴款日期"), ("office", "征收机关")]),
    SOCIAL_INSURANCE_KIND: ("单位社保缴费记录", [("month", "费款所属期"), ("staff", "参保人数"),
                                                ("base", "缴费基数合计"), ("employer", "单位缴纳"),
                                                ("personal", "个人缴纳")]),
}
TAX_OFFICE = "国家税务总局演示区税务局"
RECORD_KINDS.update(ENTERPRISE_RECORD_KINDS)

#: Ministries (licence type owners) and issuers, with credit codes built by the GB 32100 rules.
CIVIL_AFFAIRS = make_uscc("1", "1", "100000", "00000101")
MARKET_REGULATION = make_uscc("1", "1", "100000", "00000102")
HEALTH_COMMISSION = make_uscc("1", "1", "100000", "00000103")
PUBLIC_SECURITY = make_uscc("1", "1", "100000", "00000104")
HUMAN_RESOURCES = make_uscc("1", "1", "100000", "00000105")
DISTRICT_CIVIL_AFFAIRS = make_uscc("1", "1", "310199", "20000201")
DISTRICT_MARKET = make_uscc("1", "1", "310199", "20000202")
DISTRICT_HOSPITAL = make_uscc("1", "2", "310199", "20000203")
CITY_TRAFFIC_POLICE = make_uscc("1", "1", "310000", "20000204")
DISTRICT_SOCIAL_SECURITY = make_uscc("1", "2", "310199", "20000205")

#: licence type -> (title, type owner credit code, 3-digit type number, issuer, issuer name)
LICENCE_TYPES: dict[str, tuple[str, str, str, str, str]] = {
    "marriage": ("结婚证", CIVIL_AFFAIRS, "001", DISTRICT_CIVIL_AFFAIRS, "演示区民政局"),
    "divorce": ("离婚证", CIVIL_AFFAIRS, "002", DISTRICT_CIVIL_AFFAIRS, "演示区民政局"),
    "business": ("营业执照", MARKET_REGULATION, "001", DISTRICT_MARKET, "演示区市场监督管理局"),
    "birth": ("出生医学证明", HEALTH_COMMISSION, "001", DISTRICT_HOSPITAL, "演示区妇幼保健院"),
    "driving": (
        "机动车驾驶证",
        PUBLIC_SECURITY,
        "003",
        CITY_TRAFFIC_POLICE,
        "上海市公安局交通警察总队",
    ),
    "sscard": (
        "电子社会保障卡",
        HUMAN_RESOURCES,
        "001",
        DISTRICT_SOCIAL_SECURITY,
        "演示区社会保险事业管理中心",
    ),
}

ISSUER_SOCIAL_SECURITY = "演示区社会保险事业管理中心"
ISSUER_FUND = "演示市住房公积金管理中心"


def money(value: Decimal | int | float) -> str:
    """Two-decimal string for a yuan amount."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def month_back(today: date, months: int) -> tuple[int, int]:
    """(year, month) ``months`` months before the month of ``today``."""
    index = today.year * 12 + (today.month - 1) - months
    return index // 12, index % 12 + 1


def _base_for(resident: SeedResident, year: int, today: date) -> Decimal:
    # The base is adjusted every year; older years were about 4% lower.
    years_back = today.year - year
    return (Decimal(resident.pension_base) * (Decimal("0.96") ** years_back)).quantize(
        Decimal("1"), rounding=ROUND_HALF_UP
    )


def social_insurance_payments(resident: SeedResident, today: date) -> list[dict[str, Any]]:
    """Monthly payments, newest first (month, unit, base, personal, employer)."""
    items = []
    start = 1 + resident.stopped_months_ago
    for offset in range(start, start + resident.paid_months):
        year, month = month_back(today, offset)
        base = _base_for(resident, year, today)
        if resident.flexible_insured:
            unit, personal, employer = "灵活就业人员", base * FLEXIBLE_RATE, Decimal(0)
        else:
            unit = resident.employer or "演示区原单位"
            personal, employer = base * PENSION_PERSONAL_RATE, base * PENSION_EMPLOYER_RATE
        items.append(
            {
                "month": f"{year:04d}-{month:02d}",
                "unit": unit,
                "base": money(base),
                "personal": money(personal),
                "employer": money(employer),
            }
        )
    return items


def social_insurance_summary(items: list[dict[str, Any]], resident: SeedResident) -> dict[str, Any]:
    """Totals shown above the payment table."""
    return {
        "months": len(items),
        "personal_total": money(sum(Decimal(i["personal"]) for i in items)),
        "employer_total": money(sum(Decimal(i["employer"]) for i in items)),
        "status": "暂停缴费" if resident.stopped_months_ago else "正常缴费",
        "insurance": "城镇职工基本养老保险",
    }


def medical_account(resident: SeedResident, today: date) -> tuple[list[dict[str, Any]], dict]:
    """Account movements newest first, and the balance summary."""
    rows = []
    balance = Decimal("500.00")
    months = min(resident.paid_months, 24)
    start = 1 + resident.stopped_months_ago
    for offset in range(start + months - 1, start - 1, -1):
        year, month = month_back(today, offset)
        credit = _base_for(resident, year, today) * MEDICAL_ACCOUNT_RATE
        balance += credit
        rows.append(
            {
                "date": f"{year:04d}-{month:02d}-05",
                "type": "划入",
                "amount": money(credit),
                "balance": money(balance),
                "place": ISSUER_SOCIAL_SECURITY,
            }
        )
        if offset % 3 == 0:
            spend = (credit * Decimal("0.8")).quantize(Decimal("0.01"))
            balance -= spend
            rows.append(
                {
                    "date": f"{year:04d}-{month:02d}-18",
                    "type": "支出",
                    "amount": money(-spend),
                    "balance": money(balance),
                    "place": "演示区社区卫生服务中心" if offset % 2 else "演示大药房",
                }
            )
    rows.reverse()
    summary = {"balance": money(balance), "account_status": "正常", "insurance": "职工基本医疗保险"}
    return rows, summary


def provident_fund(resident: SeedResident, today: date) -> tuple[list[dict[str, Any]], dict]:
    """Monthly deposits newest first, and the account summary (empty when none)."""
    if not resident.provident_fund:
        return [], {"balance": money(0), "account_status": "未开户"}
    items = []
    total = Decimal(0)
    start = 1 + resident.stopped_months_ago
    for offset in range(start, start + min(resident.paid_months, 36)):
        year, month = month_back(today, offset)
        base = _base_for(resident, year, today)
        part = base * FUND_RATE
        total += part * 2
        items.append(
            {
                "month": f"{year:04d}-{month:02d}",
                "unit": resident.employer or "演示区原单位",
                "base": money(base),
                "personal": money(part),
                "employer": money(part),
                "total": money(part * 2),
            }
        )
    status = "封存" if resident.stopped_months_ago or not resident.employer else "正常缴存"
    summary = {
        "balance": money(total + Decimal("3200")),
        "account_status": status,
        "monthly_total": items[0]["total"] if items else money(0),
    }
    return items, summary


def archives(resident: SeedResident) -> tuple[list[dict[str, Any]], dict]:
    """Where the personnel file is kept."""
    since = date(max(resident.birth_date.year + 22, 2000), 7, 15)
    items = [
        {
            "keeper": resident.archives_at,
            "type": "流动人员人事档案",
            "since": since.isoformat(),
            "status": "在档",
        }
    ]
    return items, {"keeper": resident.archives_at, "phone": "021-00000000"}


def licences(resident: SeedResident, today: date) -> list[dict[str, Any]]:
    """The resident's electronic licences with GB/T 36904 identifiers."""
    kinds: list[tuple[str, str, str]] = [("sscard", "长期", "")]
    if resident.marital_status in ("已婚", "丧偶"):
        kinds.append(("marriage", "长期", ""))
    if resident.marital_status == "离异":
        kinds.append(("marriage", "长期", "已失效"))
        kinds.append(("divorce", "长期", ""))
    if resident.business is not None:
        kinds.append(("business", "长期", ""))
    if resident.newborn is not None:
        kinds.append(("birth", "长期", ""))
    if resident.driving_licence:
        kinds.append(("driving", date(today.year + 4, 12, 31).isoformat(), ""))
    items = []
    for index, (kind, valid_to, note) in enumerate(kinds, start=1):
        title, owner, type_no, issuer, issuer_name = LICENCE_TYPES[kind]
        serial = f"{resident.id17[6:14]}{resident.id17[14:17]}{index:02d}"
        licence_id = make_elicence_id(owner + type_no, issuer, serial)
        item = {
            "licence_id": licence_id,
            "type": kind,
            "title": title,
            "issuer": issuer_name,
            "valid_to": valid_to,
            "holder_masked": resident.name[:1] + "*",
        }
        if kind == "birth" and resident.newborn is not None:
            item["number"] = resident.newborn.certificate_number
            item["child_name"] = resident.newborn.name
            item["child_birth_date"] = (
                today - timedelta(days=resident.newborn.days_old)
            ).isoformat()
        if kind == "business" and resident.business is not None:
            item["credit_code"] = business_credit_code(resident)
        if note:
            item["status"] = note
        items.append(item)
    return items


def business_credit_code(resident: SeedResident) -> str:
    """The credit code of the resident's business (empty when there is none)."""
    if resident.business is None:
        return ""
    category = "2" if resident.business.kind == "个体工商户" else "1"
    return make_uscc("9", category, "310199", resident.business.org_body)


def senior_allowance_per_month(age: int) -> int:
    """老年综合津贴 monthly amount by age bracket (yuan)."""
    if age >= 90:
        return 350
    if age >= 80:
        return 180
    if age >= 70:
        return 150
    return 75


def benefits(resident: SeedResident, today: date) -> list[dict[str, Any]]:
    """Benefits the resident already qualifies for (免申即享), with the reason."""
    age = resident.age_on(today)
    items = []
    if resident.receiving_senior_allowance and age >= SENIOR_AGE_YEARS:
        items.append(
            {
                "code": "senior-allowance",
                "title": "老年综合津贴",
                "amount": money(senior_allowance_per_month(age)),
                "reason": f"年满{SENIOR_AGE_YEARS}周岁的本市户籍老年人，按月发放",
            }
        )
    if age >= 70:
        items.append(
            {
                "code": "senior-transit",
                "title": "敬老卡免费乘坐公共交通",
                "amount": money(0),
                "reason": "年满70周岁，已自动开通",
            }
        )
    if resident.newborn is not None and resident.sex == "女":
        items.append(
            {
                "code": "maternity-allowance",
                "title": "生育津贴",
                "amount": money(resident.pension_base * 4),
                "reason": "参保职工生育，按缴费基数自动核发",
            }
        )
    if resident.newborn is not None:
        items.append(
            {
                "code": "newborn-medical",
                "title": "新生儿医保参保缴费补贴",
                "amount": money(200),
                "reason": "新生儿父母为本市参保人员",
            }
        )
    if resident.stopped_months_ago and not resident.employer and resident.paid_months >= 12:
        items.append(
            {
                "code": "unemployment-benefit",
                "title": "失业保险金",
                "amount": money(2175),
                "reason": "累计缴费满一年且非因本人意愿中断就业",
            }
        )
    if resident.flexible_insured and resident.business is None:
        items.append(
            {
                "code": "flexible-subsidy",
                "title": "灵活就业社会保险费补贴",
                "amount": money(600),
                "reason": "登记为灵活就业人员并按时缴费",
            }
        )
    return items


@dataclass(frozen=True, slots=True)
class SeededRecords:
    """Everything the store writes for one resident."""

    records: dict[str, list[dict[str, Any]]]
    summaries: dict[str, dict[str, Any]]
    licences: list[dict[str, Any]]


def staff_of(resident: SeedResident) -> int:
    """How many employees the enterprise insures (a sole proprietor: one)."""
    business = resident.business
    if business is None or business.kind == "个体工商户":
        return 1
    return 12 + int(business.org_body[-2:]) % 20


def tax_records(resident: SeedResident, today: date) -> list[dict[str, Any]]:
    """Quarterly VAT and monthly enterprise income tax payments of the last year, newest first."""
    business = resident.business
    if business is None:
        return []
    scale = Decimal(staff_of(resident)) * Decimal(1800)
    items = []
    for offset in range(1, 13):
        year, month = month_back(today, offset)
        items.append({"period": f"{year:04d}-{month:02d}", "tax": "增值税",
                      "amount": money(scale * Decimal("0.13") + offset * 17),
                      "paid_on": f"{year:04d}-{month:02d}-15", "office": TAX_OFFICE})
        if month % 3 == 0:
            items.append({"period": f"{year:04d}-{month:02d}", "tax": "企业所得税",
                          "amount": money(scale * Decimal("0.25") + offset * 11),
                          "paid_on": f"{year:04d}-{month:02d}-20", "office": TAX_OFFICE})
    return items


def social_insurance_records(resident: SeedResident, today: date) -> list[dict[str, Any]]:
    """The enterprise's monthly social-insurance payments of the last year, newest first."""
    if resident.business is None:
        return []
    staff = staff_of(resident)
    items = []
    for offset in range(1, 13):
        year, month = month_back(today, offset)
        base = Decimal(staff) * Decimal(resident.pension_base)
        items.append({"month": f"{year:04d}-{month:02d}", "staff": str(staff),
                      "base": money(base), "employer": money(base * Decimal("0.16")),
                      "personal": money(base * Decimal("0.08"))})
    return items


def enterprise_records(resident: SeedResident, today: date) -> dict[str, list[dict[str, Any]]]:
    """The enterprise record kinds of ``resident``'s business (none without one)."""
    if resident.business is None:
        return {}
    return {TAX_KIND: tax_records(resident, today),
            SOCIAL_INSURANCE_KIND: social_insurance_records(resident, today)}


def enterprise_summaries(resident: SeedResident, today: date) -> dict[str, dict[str, Any]]:
    """Totals shown above the enterprise tables."""
    found = enterprise_records(resident, today)
    if not found:
        return {}
    return {TAX_KIND: {"enterprise": resident.business.name if resident.business else "",
                       "total": money(sum(Decimal(i["amount"]) for i in found[TAX_KIND]))},
            SOCIAL_INSURANCE_KIND: {"staff": staff_of(resident), "months": 12}}


def build(resident: SeedResident, today: date) -> SeededRecords:
    """All records of one resident as of ``today`` (applications come from the database)."""
    payments = social_insurance_payments(resident, today)
    medical, medical_summary = medical_account(resident, today)
    fund, fund_summary = provident_fund(resident, today)
    files, files_summary = archives(resident)
    return SeededRecords(
        records={
            "social-insurance-payments": payments,
            "medical-insurance-account": medical,
            "provident-fund-deposits": fund,
            "archives": files,
            **enterprise_records(resident, today),
        },
        summaries={
            "social-insurance-payments": social_insurance_summary(payments, resident),
            "medical-insurance-account": medical_summary,
            "provident-fund-deposits": fund_summary,
            "archives": files_summary,
            **enterprise_summaries(resident, today),
        },
        licences=licences(resident, today),
    )
