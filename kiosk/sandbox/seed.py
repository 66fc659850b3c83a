"""The sandbox's synthetic residents: invented names and addresses, valid ID numbers.

Every ID number carries a correct GB 11643 check character (``drivers.identity``); birth date
and sex inside the number agree with the record. Each resident is there to exercise particular
services (see ``purpose``); the table in docs/sandbox.md lists them for testers.
Nothing here is a real person: the street names and the 演示区 district are made up.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from identifiers.resident_id import id_check_character

#: The sandbox city: a household registered here counts as local (居住登记 not needed).
LOCAL_CITY_PREFIX = "上海市演示区"


@dataclass(frozen=True, slots=True)
class Business:
    """A business registered to the resident (营业执照)."""

    name: str
    kind: str  # 个体工商户 / 有限责任公司
    org_body: str  # 8 digits; the credit code is built from it
    registered_on: date
    scope: str


@dataclass(frozen=True, slots=True)
class Newborn:
    """A child born recently whose parents may apply for 新生儿出生一件事."""

    name: str
    sex: str
    days_old: int
    certificate_number: str  # 出生医学证明编号


@dataclass(frozen=True, slots=True)
class SeedResident:
    """One synthetic resident with the facts the sandbox's rules look at."""

    key: str  # short handle used by tests and the demo panel
    id17: str  # first 17 digits; the check character is computed
    name: str
    phone: str
    address: str
    household_address: str
    employer: str = ""  # "" = no employer paying social insurance now
    marital_status: str = "未婚"  # 未婚 / 已婚 / 离异 / 丧偶
    spouse_key: str = ""
    ethnicity: str = "汉"
    face: str = "registered"  # registered / mismatch / none
    pension_base: int = 8000  # 缴费基数 (yuan/month)
    paid_months: int = 36  # months of social insurance payments on record
    stopped_months_ago: int = 0  # payments stopped this many months ago (0 = still paying)
    flexible_insured: bool = False  # 灵活就业人员参保
    receiving_senior_allowance: bool = False
    criminal_record: bool = False
    provident_fund: bool = True
    business: Business | None = None
    tax_payer: bool = False
    newborn: Newborn | None = None
    driving_licence: bool = False
    archives_at: str = "演示区人才服务中心"
    purpose: tuple[str, ...] = field(default_factory=tuple)

    @property
    def id_number(self) -> str:
        """The full 18-character ID number."""
        return self.id17 + id_check_character(self.id17)

    @property
    def birth_date(self) -> date:
        """Birth date encoded in the ID number."""
        raw = self.id17[6:14]
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))

    @property
    def sex(self) -> str:
        """男 for an odd sequence digit, 女 for an even one (GB 11643)."""
        return "男" if int(self.id17[16]) % 2 else "女"

    @property
    def qr_code(self) -> str:
        """The resident's personal QR code payload (stands in for the city app's code)."""
        digest = hashlib.sha256(f"sandbox-qr:{self.id_number}".encode()).digest()
        token = base64.urlsafe_b64encode(digest[:18]).decode("ascii")
        return "SCID:1:" + token  # the city app's code format (drivers/scanner/payloads.py)

    def age_on(self, today: date) -> int:
        """Age in whole years on ``today``."""
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def __repr__(self) -> str:
        return f"SeedResident(key={self.key})"


_HH = LOCAL_CITY_PREFIX

RESIDENTS: tuple[SeedResident, ...] = (
    SeedResident(
        key="worker",
        id17="31010419880314003",
        name="陈思远",
        phone="13800000001",
        address=f"{_HH}光明路88弄3号201室",
        household_address=f"{_HH}光明路88弄3号201室",
        employer="演示数码科技有限公司",
        marital_status="已婚",
        spouse_key="mother",
        pension_base=15000,
        paid_months=48,
        driving_licence=True,
        tax_payer=True,
        newborn=Newborn("陈小满", "女", 40, "Q310000001"),
        purpose=(
            "社保缴费记录查询",
            "社保缴费证明",
            "个人权益记录",
            "公积金",
            "新生儿出生一件事(父)",
            "婚姻登记记录证明",
            "纳税证明",
            "无犯罪记录证明",
            "好差评",
        ),
    ),
    SeedResident(
        key="mother",
        id17="31011519920721002",
        name="林晓雯",
        phone="13800000002",
        address=f"{_HH}光明路88弄3号201室",
        household_address=f"{_HH}云杉路12号502室",
        employer="演示区第一幼儿园",
        marital_status="已婚",
        spouse_key="worker",
        pension_base=9000,
        paid_months=60,
        newborn=Newborn("陈小满", "女", 40, "Q310000001"),
        purpose=("新生儿出生一件事(母)", "医保账户查询", "生育津贴(免申即享)"),
    ),
    SeedResident(
        key="elder",
        id17="31010119501102004",
        name="王桂芳",
        phone="13800000003",
        address=f"{_HH}长青路5号101室",
        household_address=f"{_HH}长青路5号101室",
        marital_status="丧偶",
        pension_base=4000,
        paid_months=30,
        stopped_months_ago=0,
        provident_fund=False,
        archives_at="演示区社会保险事业管理中心",
        purpose=("老年综合津贴申请(自动通过)", "长者版", "个人档案存放查询"),
    ),
    SeedResident(
        key="elder_receiving",
        id17="31010119440530005",
        name="赵德厚",
        phone="13800000004",
        address=f"{_HH}长青路7号302室",
        household_address=f"{_HH}长青路7号302室",
        marital_status="已婚",
        spouse_key="",
        receiving_senior_allowance=True,
        pension_base=4000,
        paid_months=24,
        provident_fund=False,
        archives_at="演示区社会保险事业管理中心",
        purpose=("老年综合津贴申请(已享受被拒)", "免申即享: 老年综合津贴"),
    ),
    SeedResident(
        key="nearly_senior",
        id17="31010419660909003",
        name="刘建国",
        phone="13800000005",
        address=f"{_HH}枫林路20号601室",
        household_address=f"{_HH}枫林路20号601室",
        employer="演示机械制造有限公司",
        marital_status="已婚",
        pension_base=11000,
        purpose=("老年综合津贴申请(未满65岁被拒)", "失业登记(达到退休年龄被拒)"),
    ),
    SeedResident(
        key="unemployed",
        id17="31011519950118002",
        name="周雨桐",
        phone="13800000006",
        address=f"{_HH}望江路66号1203室",
        household_address=f"{_HH}望江路66号1203室",
        pension_base=7000,
        paid_months=30,
        stopped_months_ago=3,
        purpose=("失业登记(自动通过)", "灵活就业参保登记(自动通过)", "失业保险金(免申即享)"),
    ),
    SeedResident(
        key="flexible",
        id17="31010419901205001",
        name="吴浩然",
        phone="13800000007",
        address=f"{_HH}晨曦路9号402室",
        household_address=f"{_HH}晨曦路9号402室",
        flexible_insured=True,
        pension_base=6500,
        paid_months=26,
        provident_fund=False,
        purpose=("灵活就业参保登记(已参保被拒)", "失业登记(灵活就业被拒)", "灵活就业社保补贴"),
    ),
    SeedResident(
        key="business_owner",
        id17="31011019780422001",
        name="郑海峰",
        phone="13800000008",
        address=f"{_HH}海港路3号",
        household_address=f"{_HH}海港路3号",
        marital_status="已婚",
        spouse_key="spouse_of_owner",
        flexible_insured=True,
        pension_base=8000,
        paid_months=72,
        tax_payer=True,
        provident_fund=False,
        business=Business(
            "演示区海峰便利店",
            "个体工商户",
            "30000001",
            date(2015, 6, 18),
            "日用百货、预包装食品零售",
        ),
        purpose=("营业执照打印", "纳税证明", "婚姻登记记录证明"),
    ),
    SeedResident(
        key="spouse_of_owner",
        id17="31011019800808004",
        name="冯丽娜",
        phone="13800000009",
        address=f"{_HH}海港路3号",
        household_address=f"{_HH}海港路3号",
        employer="演示财务咨询有限公司",
        marital_status="已婚",
        spouse_key="business_owner",
        pension_base=10000,
        tax_payer=True,
        driving_licence=True,
        purpose=("纳税证明", "公积金缴存证明", "预约取号"),
    ),
    SeedResident(
        key="migrant",
        id17="51010419930616001",
        name="何志强",
        phone="13800000010",
        address=f"{_HH}新苑路18弄7号303室",
        household_address="四川省成都市锦江区蓉华街21号",
        employer="演示物流有限公司",
        pension_base=7500,
        paid_months=25,
        purpose=("居住登记(非本市户籍, 可办)", "社保缴费记录查询"),
    ),
    SeedResident(
        key="record_holder",
        id17="31010419851010001",
        name="马俊",
        phone="13800000011",
        address=f"{_HH}石桥路44号",
        household_address=f"{_HH}石桥路44号",
        employer="演示建筑工程有限公司",
        criminal_record=True,
        pension_base=7000,
        purpose=("无犯罪记录证明(自助不能开具)", "居住登记(本市户籍被拒)"),
    ),
    SeedResident(
        key="face_mismatch",
        id17="31011519980227002",
        name="孙美玲",
        phone="13800000012",
        address=f"{_HH}梧桐路2号801室",
        household_address=f"{_HH}梧桐路2号801室",
        employer="演示文化传媒有限公司",
        face="mismatch",
        pension_base=9000,
        paid_months=40,
        purpose=("人脸比对不通过",),
    ),
    SeedResident(
        key="graduate",
        id17="31010420010901001",
        name="韩立",
        phone="13800000013",
        address=f"{_HH}学府路100号",
        household_address=f"{_HH}学府路100号",
        employer="演示软件有限公司",
        face="none",
        pension_base=6000,
        paid_months=24,
        archives_at="演示区人才服务中心(应届毕业生)",
        purpose=("未登记人脸照片", "个人档案存放查询", "老年综合津贴(年龄不足被拒)"),
    ),
    SeedResident(
        key="divorced",
        id17="31010119751212002",
        name="许文静",
        phone="13800000014",
        address=f"{_HH}芦苇路8号",
        household_address=f"{_HH}芦苇路8号",
        employer="演示区社区卫生服务中心",
        marital_status="离异",
        pension_base=8500,
        driving_licence=True,
        purpose=("婚姻登记记录证明(含离婚登记)", "个人权益记录"),
    ),
    SeedResident(
        key="centenarian_track",
        id17="31010119340105004",
        name="钱玉兰",
        phone="13800000015",
        address=f"{_HH}松柏路1号",
        household_address=f"{_HH}松柏路1号",
        marital_status="丧偶",
        pension_base=3500,
        paid_months=24,
        provident_fund=False,
        purpose=("老年综合津贴申请(90岁以上档)",),
    ),
    SeedResident(
        key="company_director",
        id17="31010519750920003",
        name="孙建国",
        phone="13800000016",
        address=f"{_HH}创新路66号",
        household_address=f"{_HH}创新路66号",
        employer="演示区星河科技有限公司",
        marital_status="已婚",
        pension_base=20000,
        paid_months=120,
        tax_payer=True,
        business=Business(
            "演示区星河科技有限公司",
            "有限责任公司",
            "30000002",
            date(2012, 9, 3),
            "软件开发、信息技术咨询服务",
        ),
        purpose=("法人办事：营业执照打印", "企业纳税记录查询", "企业社保缴费查询"),
    ),
)


def by_key(key: str) -> SeedResident:
    """The seed resident with handle ``key`` (KeyError when there is none)."""
    for resident in RESIDENTS:
        if resident.key == key:
            return resident
    raise KeyError(key)


def to_json(resident: SeedResident) -> dict[str, Any]:
    """A JSON-ready dict of the resident (dates as ISO strings), as the store keeps it."""
    data = dataclasses.asdict(resident)
    if resident.business is not None:
        data["business"]["registered_on"] = resident.business.registered_on.isoformat()
    data["purpose"] = list(resident.purpose)
    return data


def from_json(data: dict[str, Any]) -> SeedResident:
    """Rebuild a resident from `to_json` output."""
    values = dict(data)
    if values.get("business"):
        business = dict(values["business"])
        business["registered_on"] = date.fromisoformat(business["registered_on"])
        values["business"] = Business(**business)
    if values.get("newborn"):
        values["newborn"] = Newborn(**values["newborn"])
    values["purpose"] = tuple(values.get("purpose", ()))
    return SeedResident(**values)
