"""Deterministic application rules per service (pure code, no I/O).

Each rule looks at the resident, the answers and what was attached, and decides:
``approved`` (无人干预自动办理), ``accepted`` (a person reviews within ``time_limit_days``) or
``refused`` with a plain reason. Missing or malformed answers raise `AnswerError` (HTTP 422).
The server passes ``prior_case``: whether an earlier, not refused case for the same thing exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from kiosk.sandbox.records import SENIOR_AGE_YEARS, senior_allowance_per_month
from kiosk.sandbox.seed import LOCAL_CITY_PREFIX, SeedResident

MALE_RETIREMENT_AGE_YEARS = 60
FEMALE_RETIREMENT_AGE_YEARS = 55
MIN_WORKING_AGE_YEARS = 16
GENERIC_TIME_LIMIT_DAYS = 5


class CaseStatus(StrEnum):
    """Outcome of an application."""

    ACCEPTED = "accepted"  # 已受理，待审核
    APPROVED = "approved"  # 已办结（自动核准）
    REFUSED = "refused"  # 不予受理，附原因


STATUS_LABELS = {
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.APPROVED: "已办结",
    CaseStatus.REFUSED: "不予受理",
}


class AnswerError(ValueError):
    """An answer is missing or malformed; ``message`` is plain Chinese for the resident."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Decision:
    """What the platform decided about one application."""

    status: CaseStatus
    reason: str
    next_step: str
    time_limit_days: int


@dataclass(frozen=True, slots=True)
class Application:
    """The facts a rule sees."""

    resident: SeedResident
    answers: Mapping[str, Any]
    licences: Sequence[Mapping[str, Any]]  # the resident's licences that were attached
    attachment_count: int
    prior_case: bool
    today: date


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A service the sandbox knows: title and the answers it needs (key -> label)."""

    code: str
    title: str
    answers: dict[str, str]
    rule: Callable[[Application], Decision]


def _need(app: Application, key: str, label: str) -> str:
    value = app.answers.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AnswerError(key, f"请填写{label}")
    return value.strip()


def _date(app: Application, key: str, label: str) -> date:
    text = _need(app, key, label)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise AnswerError(key, f"{label}的格式不正确") from None
    if value > app.today:
        raise AnswerError(key, f"{label}不能晚于今天")
    return value


def _refused(reason: str, next_step: str = "如有疑问，请到窗口咨询或拨打12345") -> Decision:
    return Decision(CaseStatus.REFUSED, reason, next_step, 0)


def _is_local(resident: SeedResident) -> bool:
    return resident.household_address.startswith(LOCAL_CITY_PREFIX)


def _retirement_age(resident: SeedResident) -> int:
    return MALE_RETIREMENT_AGE_YEARS if resident.sex == "男" else FEMALE_RETIREMENT_AGE_YEARS


HOUSING_CHOICES = ("自有住房", "租赁住房", "单位宿舍", "亲友住房")


def residence_registration(app: Application) -> Decision:
    """居住登记: for residents whose household is elsewhere."""
    _need(app, "address", "居住地址")
    _date(app, "start_date", "居住起始日期")
    housing = _need(app, "housing", "住房类型")
    if housing not in HOUSING_CHOICES:
        raise AnswerError("housing", "请选择住房类型")
    if _is_local(app.resident):
        return _refused("您的户籍在本市，无需办理居住登记")
    if app.prior_case:
        return _refused("您已办理居住登记，无需重复申请")
    if housing == "租赁住房" and (app.attachment_count or app.licences):
        return Decision(
            CaseStatus.APPROVED,
            "材料齐全，自动核准",
            "居住登记已生效，可在随申办查看电子居住登记凭证",
            0,
        )
    return Decision(
        CaseStatus.ACCEPTED, "已受理", "社区民警将在3个工作日内上门核实居住信息，结果短信通知", 3
    )


def unemployment_registration(app: Application) -> Decision:
    """失业登记: working age, no employer paying now, not flexibly insured."""
    _need(app, "last_employer", "原工作单位")
    _date(app, "leave_date", "离职日期")
    _need(app, "leave_reason", "离职原因")
    resident = app.resident
    age = resident.age_on(app.today)
    if age >= _retirement_age(resident):
        return _refused("您已达到法定退休年龄，不能办理失业登记")
    if age < MIN_WORKING_AGE_YEARS:
        return _refused("未满16周岁，不能办理失业登记")
    if resident.employer:
        return _refused("社保记录显示您仍由单位参保缴费，请单位办理停保后再申请")
    if resident.flexible_insured:
        return _refused("您正以灵活就业人员身份参保，视为就业状态，不能办理失业登记")
    if app.prior_case:
        return _refused("您已办理失业登记，无需重复申请")
    return Decision(
        CaseStatus.APPROVED,
        "符合条件，自动核准",
        "已完成失业登记，可申领失业保险金并参加免费职业培训",
        0,
    )


def newborn_one_thing(app: Application) -> Decision:
    """新生儿出生一件事: birth medical certificate on record -> household, insurance, card."""
    child_name = _need(app, "child_name", "新生儿姓名")
    _need(app, "household_choice", "户口随父或随母")
    newborn = app.resident.newborn
    number = str(app.answers.get("birth_certificate_number") or "").strip()
    attached_birth = [lic for lic in app.licences if lic.get("type") == "birth"]
    if newborn is None:
        return _refused("未查询到您名下新生儿的出生医学证明，请携带纸质证明到窗口办理")
    if not attached_birth and number != newborn.certificate_number:
        if not number:
            raise AnswerError("birth_certificate_number", "请添加电子出生医学证明或填写证明编号")
        return _refused("出生医学证明编号与登记信息不一致，请核对后重新申请")
    if child_name != newborn.name:
        return _refused("新生儿姓名与出生医学证明不一致，请核对后重新申请")
    if app.prior_case:
        return _refused("该新生儿的出生一件事已申请，无需重复办理")
    return Decision(
        CaseStatus.ACCEPTED,
        "出生医学证明已核验",
        "户口登记、医保参保和社保卡申领将在5个工作日内办结，结果短信通知",
        5,
    )


def senior_allowance(app: Application) -> Decision:
    """老年综合津贴: approved automatically at 65 and over for local households."""
    resident = app.resident
    age = resident.age_on(app.today)
    if age < SENIOR_AGE_YEARS:
        return _refused(f"年满{SENIOR_AGE_YEARS}周岁方可申请，您目前{age}周岁")
    if not _is_local(resident):
        return _refused("老年综合津贴限本市户籍老年人申请")
    if resident.receiving_senior_allowance or app.prior_case:
        return _refused("您已在享受老年综合津贴，无需重复申请")
    amount = senior_allowance_per_month(age)
    return Decision(
        CaseStatus.APPROVED,
        f"符合条件，自动核准：每月{amount}元",
        "自下月起按月发放至您的社保卡金融账户",
        0,
    )


BASE_LEVELS = ("60", "100", "150", "200", "300")


def flexible_employment_insurance(app: Application) -> Decision:
    """灵活就业参保登记: working age, no employer, not yet registered."""
    level = _need(app, "base_level", "缴费档次")
    if level not in BASE_LEVELS:
        raise AnswerError("base_level", "请选择缴费档次")
    resident = app.resident
    age = resident.age_on(app.today)
    if not MIN_WORKING_AGE_YEARS <= age < _retirement_age(resident):
        return _refused("灵活就业参保登记限法定劳动年龄内人员办理")
    if resident.employer:
        return _refused("您目前由单位参保缴费，无需办理灵活就业参保登记")
    if resident.flexible_insured or app.prior_case:
        return _refused("您已登记为灵活就业参保人员，无需重复办理")
    return Decision(
        CaseStatus.APPROVED,
        "符合条件，自动核准",
        "请于每月15日前保持银行账户余额充足，按月代扣缴费",
        0,
    )


def generic(app: Application) -> Decision:
    """Any other service: accepted for review by a person."""
    return Decision(
        CaseStatus.ACCEPTED,
        "已受理",
        f"工作人员将在{GENERIC_TIME_LIMIT_DAYS}个工作日内审核，结果短信通知",
        GENERIC_TIME_LIMIT_DAYS,
    )


SERVICES: dict[str, ServiceInfo] = {
    info.code: info
    for info in (
        ServiceInfo(
            "residence-registration",
            "居住登记",
            {"address": "居住地址", "start_date": "居住起始日期", "housing": "住房类型"},
            residence_registration,
        ),
        ServiceInfo(
            "unemployment-registration",
            "失业登记",
            {"last_employer": "原工作单位", "leave_date": "离职日期", "leave_reason": "离职原因"},
            unemployment_registration,
        ),
        ServiceInfo(
            "newborn-one-thing",
            "新生儿出生一件事",
            {
                "child_name": "新生儿姓名",
                "household_choice": "户口随父或随母",
                "birth_certificate_number": "出生医学证明编号",
            },
            newborn_one_thing,
        ),
        ServiceInfo(
            "senior-allowance", "老年综合津贴申请", {"bank_account": "发放账户"}, senior_allowance
        ),
        ServiceInfo(
            "flexible-employment-insurance",
            "灵活就业参保登记",
            {"base_level": "缴费档次(60/100/150/200/300)"},
            flexible_employment_insurance,
        ),
    )
}

#: Titles of services handled by other endpoints (appointments, problem reports, queries).
OTHER_TITLES = {"appointment": "预约取号", "problem-report": "办不成事反映"}


def service_title(code: str) -> str:
    """The Chinese title of a service code (the code itself when unknown)."""
    if code in SERVICES:
        return SERVICES[code].title
    return OTHER_TITLES.get(code, code)


def decide(service: str, app: Application) -> Decision:
    """Run the service's rule (the generic one for services without a rule)."""
    info = SERVICES.get(service)
    return (info.rule if info else generic)(app)
