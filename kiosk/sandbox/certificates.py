"""Certificate content for every kind the platform issues (pure code, no I/O).

The server gathers the facts (resident, records, licences, the case) and calls `build`; it adds
the serial. A resident who cannot get a kind at the terminal gets `NotEligible` with a plain
reason (HTTP 403 ``not_eligible``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from kiosk.sandbox.records import (
    ISSUER_FUND,
    ISSUER_SOCIAL_SECURITY,
    business_credit_code,
    money,
)
from kiosk.sandbox.rules import STATUS_LABELS, CaseStatus
from kiosk.sandbox.seed import SeedResident

#: kind -> (title, issuer)
KINDS: dict[str, tuple[str, str]] = {
    "social-insurance-payment": ("社会保险参保缴费证明", ISSUER_SOCIAL_SECURITY),
    "personal-rights-record": ("社会保险个人权益记录", ISSUER_SOCIAL_SECURITY),
    "provident-fund-deposit": ("住房公积金缴存证明", ISSUER_FUND),
    "marriage-record": ("婚姻登记记录证明", "演示区民政局"),
    "no-criminal-record": ("无犯罪记录证明", "上海市公安局演示分局"),
    "business-licence": ("营业执照（打印件）", "演示区市场监督管理局"),
    "tax-payment": ("税收完税证明", "国家税务总局上海市演示区税务局"),
    "acceptance-receipt": ("受理回执", "演示区行政服务中心"),
}

PAYMENT_ROWS_MAX = 36
VERIFY_NOTE = "本证明可通过扫描二维码或登录政务服务网核验真伪"


class NotEligible(Exception):
    """This resident cannot get this certificate at a terminal; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a certificate may need, gathered by the server."""

    resident: SeedResident
    today: date
    records: Mapping[str, Sequence[Mapping[str, Any]]]
    summaries: Mapping[str, Mapping[str, Any]]
    spouse_name: str = ""
    case: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def _holder(facts: Facts) -> list[list[str]]:
    return [["姓名", facts.resident.name], ["公民身份号码", facts.resident.id_number]]


def _social_insurance(facts: Facts) -> dict[str, Any]:
    items = list(facts.records.get("social-insurance-payments", ()))[:PAYMENT_ROWS_MAX]
    summary = facts.summaries.get("social-insurance-payments", {})
    if not items:
        raise NotEligible("未查询到您的社保缴费记录")
    period = f"{items[-1]['month']} 至 {items[0]['month']}"
    return {
        "fields": [
            *_holder(facts),
            ["参保险种", summary.get("insurance", "城镇职工基本养老保险")],
            ["参保状态", summary.get("status", "正常缴费")],
            ["累计缴费月数", str(summary.get("months", len(items)))],
            ["证明期间", period],
        ],
        "table": {
            "columns": ["缴费年月", "缴费单位", "缴费基数", "个人缴纳", "单位缴纳"],
            "rows": [
                [i["month"], i["unit"], i["base"], i["personal"], i["employer"]] for i in items
            ],
        },
        "notes": ["本证明记录参保人在本市的社会保险缴费情况", VERIFY_NOTE],
    }


def _rights_record(facts: Facts) -> dict[str, Any]:
    items = facts.records.get("social-insurance-payments", ())
    if not items:
        raise NotEligible("未查询到您的社保缴费记录")
    by_year: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in items:
        by_year[item["month"][:4]].append(item)
    rows = []
    for year in sorted(by_year, reverse=True):
        months = by_year[year]
        average = sum(Decimal(m["base"]) for m in months) / len(months)
        rows.append(
            [
                year,
                str(len(months)),
                money(average),
                money(sum(Decimal(m["personal"]) for m in months)),
            ]
        )
    personal_total = sum(Decimal(i["personal"]) for i in items)
    medical = facts.summaries.get("medical-insurance-account", {})
    return {
        "fields": [
            *_holder(facts),
            ["参保险种", "养老、医疗、失业、工伤、生育"],
            ["累计缴费月数", str(len(items))],
            ["养老保险个人账户累计储存额", money(personal_total)],
            ["医保个人账户余额", str(medical.get("balance", money(0)))],
        ],
        "table": {"columns": ["年度", "缴费月数", "平均缴费基数", "个人缴纳合计"], "rows": rows},
        "notes": ["个人权益记录每年核对一次，如有疑问请到社保经办机构咨询", VERIFY_NOTE],
    }


def _provident_fund(facts: Facts) -> dict[str, Any]:
    items = list(facts.records.get("provident-fund-deposits", ()))[:12]
    summary = facts.summaries.get("provident-fund-deposits", {})
    if not items:
        raise NotEligible("未查询到您的住房公积金缴存记录")
    return {
        "fields": [
            *_holder(facts),
            ["缴存单位", items[0]["unit"]],
            ["账户状态", str(summary.get("account_status", ""))],
            ["月缴存额", items[0]["total"]],
            ["账户余额", str(summary.get("balance", ""))],
        ],
        "table": {
            "columns": ["缴存年月", "缴存基数", "个人缴存", "单位缴存", "合计"],
            "rows": [
                [i["month"], i["base"], i["personal"], i["employer"], i["total"]] for i in items
            ],
        },
        "notes": ["本证明仅用于证明缴存情况，不作其他用途", VERIFY_NOTE],
    }


def _marriage(facts: Facts) -> dict[str, Any]:
    resident = facts.resident
    married_on = date(resident.birth_date.year + 26, 5, 20)
    spouse = facts.spouse_name or "（对方信息见登记档案）"
    rows: list[list[str]] = []
    if resident.marital_status in ("已婚", "丧偶", "离异"):
        rows.append(["结婚登记", married_on.isoformat(), "演示区民政局婚姻登记处", spouse])
    if resident.marital_status == "离异":
        rows.append(
            [
                "离婚登记",
                date(married_on.year + 9, 3, 12).isoformat(),
                "演示区民政局婚姻登记处",
                spouse,
            ]
        )
    result = "有婚姻登记记录" if rows else "未查询到婚姻登记记录"
    return {
        "fields": [*_holder(facts), ["查询结果", result]],
        "table": (
            {"columns": ["登记类别", "登记日期", "登记机关", "对方姓名"], "rows": rows}
            if rows
            else None
        ),
        "notes": ["本证明根据全国婚姻登记信息系统的记录出具", VERIFY_NOTE],
    }


def _no_criminal_record(facts: Facts) -> dict[str, Any]:
    if facts.resident.criminal_record:
        raise NotEligible("系统查询到需人工核实的信息，无法自助开具，请到公安机关窗口办理")
    return {
        "fields": [
            *_holder(facts),
            ["查询结果", "经查询，未发现该人有犯罪记录"],
            ["查询范围", "全国违法犯罪人员信息资源库"],
        ],
        "table": None,
        "notes": ["本证明自开具之日起3个月内有效", VERIFY_NOTE],
    }


def _business(facts: Facts) -> dict[str, Any]:
    business = facts.resident.business
    if business is None:
        raise NotEligible("未查询到您名下的营业执照")
    return {
        "fields": [
            ["统一社会信用代码", business_credit_code(facts.resident)],
            ["名称", business.name],
            ["类型", business.kind],
            ["经营者", facts.resident.name],
            ["经营场所", facts.resident.address],
            ["注册日期", business.registered_on.isoformat()],
            ["经营范围", business.scope],
        ],
        "table": None,
        "notes": ["本打印件与电子营业执照具有同等效力", VERIFY_NOTE],
    }


def _tax(facts: Facts) -> dict[str, Any]:
    resident = facts.resident
    if not resident.tax_payer:
        raise NotEligible("未查询到您的纳税记录")
    rows = []
    total = Decimal(0)
    for item in list(facts.records.get("social-insurance-payments", ()))[:12]:
        tax = max(Decimal(0), (Decimal(item["base"]) * Decimal("0.775") - 5000) * Decimal("0.03"))
        total += tax
        rows.append(["个人所得税", item["month"], f"{item['month']}-15", money(tax)])
    return {
        "fields": [
            *_holder(facts),
            ["纳税人识别号", resident.id_number],
            ["实缴金额合计", money(total)],
        ],
        "table": {"columns": ["税种", "税款所属期", "入库日期", "实缴金额"], "rows": rows},
        "notes": ["本证明不作纳税人记账、抵扣凭证", VERIFY_NOTE],
    }


def _receipt(facts: Facts) -> dict[str, Any]:
    case = facts.case
    if case is None:
        raise NotEligible("请提供需要补打回执的办件编号")
    status = CaseStatus(case["status"])
    return {
        "fields": [
            ["办件编号", case["case_number"]],
            ["事项名称", case["service_title"]],
            ["申请人", facts.resident.name],
            ["提交时间", case["submitted"]],
            ["办理状态", STATUS_LABELS[status]],
            ["承诺时限", f"{case['time_limit_days']}个工作日"],
            ["下一步", case["next_step"]],
        ],
        "table": None,
        "notes": ["请妥善保管本回执，凭办件编号查询办理进度", VERIFY_NOTE],
    }


BUILDERS = {
    "social-insurance-payment": _social_insurance,
    "personal-rights-record": _rights_record,
    "provident-fund-deposit": _provident_fund,
    "marriage-record": _marriage,
    "no-criminal-record": _no_criminal_record,
    "business-licence": _business,
    "tax-payment": _tax,
    "acceptance-receipt": _receipt,
}


def build(kind: str, facts: Facts) -> dict[str, Any]:
    """The certificate body (without serial) for ``kind``; raises `NotEligible`."""
    title, issuer = KINDS[kind]
    body = BUILDERS[kind](facts)
    return {
        "kind": kind,
        "title": title,
        "issuer": issuer,
        "issue_date": facts.today.isoformat(),
        "holder_name": facts.resident.name,
        "holder_id_number": facts.resident.id_number,
        "seal_text": issuer,
        **body,
    }
