"""The sandbox platform's electronic licence directory (电子证照目录) and its synthetic holders.

Every kind has a code, a name, the issuing department, the holder type (``person`` or
``enterprise``), its fields, the themes residents browse by, and optionally a layout (the
printed title and the order of the fields); a kind without a layout prints as a generic field
table. Which residents hold which kinds, and the values on their licences, are derived from the
seeded residents deterministically (nothing random, nothing real).

The terminal's bundle carries a snapshot of this directory
(flows/catalogue/licence-directory.json); regenerate it with
``python -m kiosk.sandbox.licence_kinds > flows/catalogue/licence-directory.json``
(tests/platform/test_licence_directory_snapshot_matches_platform.py keeps the two equal).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kiosk.sandbox.records import business_credit_code
from kiosk.sandbox.seed import RESIDENTS, SeedResident

PERSON, ENTERPRISE = "person", "enterprise"
#: Fields every licence carries besides its own.
COMMON_FIELDS = ("证照编号", "发证日期", "有效期至")
#: Kinds whose holders must collect them at the department's window (not released to terminals).
NOT_RELEASED_MESSAGE = "该证照暂不支持在自助终端打印，请到发证部门窗口办理"


@dataclass(frozen=True, slots=True)
class LicenceKind:
    """One kind of electronic licence in the directory."""

    code: str
    name: str
    department: str
    holder_type: str
    fields: tuple[str, ...]
    themes: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    layout: dict[str, Any] | None = None
    released: bool = True  # False: the platform refuses copies at a terminal

    def to_json(self) -> dict[str, Any]:
        """The directory entry as served by ``GET /v1/licence-kinds``."""
        return {
            "code": self.code, "name": self.name, "department": self.department,
            "holder_type": self.holder_type, "fields": list(self.fields),
            "themes": list(self.themes), "keywords": list(self.keywords),
            "layout": self.layout, "released": self.released,
        }


def _k(code: str, name: str, holder: str, fields: str, themes: str, keywords: str = "",
       layout: tuple[str, ...] | None = None, released: bool = True) -> tuple[Any, ...]:
    return (code, name, holder, fields, themes, keywords, layout, released)


P, E = PERSON, ENTERPRISE
#: department -> kinds: (code, name, holder, fields, themes, keywords, layout order, released)
_TABLE: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...] = (
    ("演示区公安分局", (
        _k("gaj-hukou", "居民户口簿", P, "户主姓名 户别 住址 户号", "户籍", "户口本 户籍证明",
           ("户主姓名", "户别", "户号", "住址")),
        _k("gaj-idcard", "居民身份证", P, "性别 民族 出生 住址", "户籍", "身份证 身份证复印件"),
        _k("gaj-residence", "居住证", P, "居住地址 签发机关", "户籍 住房", "居住证明 暂住证"),
        _k("gaj-passport", "普通护照", P, "护照号 签发地点", "户籍 文化旅游", "出国 出境"),
        _k("gaj-hk-macau", "往来港澳通行证", P, "通行证号 签发地点", "户籍 文化旅游", "港澳"),
        _k("gaj-no-crime", "无犯罪记录证明（电子）", P, "查询结果 查询范围", "就业",
           "开证明 无犯罪 良民证", released=False),
    )),
    ("演示区交通委员会", (
        _k("jtw-driving", "机动车驾驶证", P, "准驾车型 初次领证日期 档案编号", "交通出行",
           "驾照 驾驶证", ("准驾车型", "初次领证日期", "档案编号")),
        _k("jtw-vehicle", "机动车行驶证", P, "号牌号码 车辆类型 品牌型号 注册日期", "交通出行",
           "行驶证 车辆"),
        _k("jtw-taxi", "出租汽车驾驶员证", P, "服务单位 从业资格类别", "交通出行 就业",
           "网约车 出租车"),
        _k("jtw-road-transport", "道路运输经营许可证", E, "经营范围 经营地址", "企业经营 交通出行",
           "运输许可"),
    )),
    ("演示区民政局", (
        _k("mzj-marriage", "结婚证", P, "持证人 登记日期 配偶姓名 登记机关", "婚姻",
           "结婚 婚姻证明 开证明", ("持证人", "配偶姓名", "登记日期", "登记机关")),
        _k("mzj-divorce", "离婚证", P, "持证人 登记日期 登记机关", "婚姻", "离婚"),
        _k("mzj-low-income", "最低生活保障证", P, "保障人数 保障金额", "社会救助", "低保"),
        _k("mzj-elderly-card", "老年人优待证", P, "优待等级", "养老", "老人卡 敬老卡"),
        _k("mzj-social-org", "社会团体法人登记证书", E, "业务范围 住所 法定代表人",
           "企业经营", "社团"),
    )),
    ("演示区人力资源和社会保障局", (
        _k("rsj-sscard", "电子社会保障卡", P, "社会保障号码 卡号 发卡银行", "医保 养老 就业",
           "社保卡 医保卡"),
        _k("rsj-retire", "退休证", P, "退休日期 原工作单位 退休类别", "养老",
           "退休 退休证明 养老金"),
        _k("rsj-employment", "就业创业证", P, "就业状态 登记日期", "就业", "失业证 就业登记"),
        _k("rsj-skill", "职业技能等级证书", P, "职业 等级 评价机构", "就业 教育", "技能证书"),
        _k("rsj-title", "专业技术职务任职资格证书", P, "专业 资格名称 评审机构", "就业", "职称"),
        _k("rsj-labour-dispatch", "劳务派遣经营许可证", E, "经营范围 住所", "企业经营 就业",
           "劳务派遣"),
        _k("rsj-pension-cert", "养老金领取资格证明", P, "领取状态 核验日期", "养老",
           "开证明 退休 生存认证"),
    )),
    ("演示区医疗保障局", (
        _k("ybj-medical-card", "医保电子凭证", P, "参保地 参保类型", "医保", "医保码 医保卡"),
        _k("ybj-chronic", "门诊慢特病待遇认定书", P, "病种 认定日期", "医保 医疗卫生", "慢性病"),
        _k("ybj-long-care", "长期护理保险待遇证明", P, "护理等级 服务机构", "医保 养老",
           "长护险"),
        _k("ybj-transfer", "基本医疗保险参保凭证", P, "参保险种 参保状态 缴费年限", "医保",
           "开证明 医保转移 参保证明"),
    )),
    ("演示区卫生健康委员会", (
        _k("wjw-birth", "出生医学证明", P, "新生儿姓名 性别 出生日期 出生地点 母亲姓名 父亲姓名",
           "生育 户籍", "出生证 报户口", ("新生儿姓名", "性别", "出生日期", "出生地点",
                                        "母亲姓名", "父亲姓名")),
        _k("wjw-maternal", "母子健康手册", P, "建册日期 预产期 建册机构", "生育 医疗卫生",
           "孕妇 建册"),
        _k("wjw-vaccine", "预防接种证", P, "儿童姓名 出生日期 接种单位", "生育 医疗卫生 教育",
           "疫苗 入学"),
        _k("wjw-doctor", "医师执业证书", P, "执业类别 执业范围 执业地点", "医疗卫生 就业",
           "医生"),
        _k("wjw-nurse", "护士执业证书", P, "执业地点 注册日期", "医疗卫生 就业", "护士"),
        _k("wjw-clinic", "医疗机构执业许可证", E, "诊疗科目 地址", "企业经营 医疗卫生", "诊所"),
        _k("wjw-health-cert", "健康证明", P, "体检机构 体检结论", "就业 医疗卫生",
           "健康证 开证明"),
    )),
    ("演示区市场监督管理局", (
        _k("scj-business", "营业执照", E, "统一社会信用代码 名称 类型 法定代表人 住所 "
           "成立日期 经营范围", "企业经营", "执照 工商 一照通",
           ("名称", "统一社会信用代码", "类型", "法定代表人", "住所", "成立日期", "经营范围")),
        _k("scj-food", "食品经营许可证", E, "经营场所 主体业态 经营项目", "企业经营",
           "餐饮 食品许可"),
        _k("scj-drug", "药品经营许可证", E, "经营方式 经营范围 仓库地址", "企业经营 医疗卫生",
           "药店"),
        _k("scj-special-equip", "特种设备使用登记证", E, "设备类别 设备代码", "企业经营",
           "电梯 锅炉"),
        _k("scj-measure", "计量器具型式批准证书", E, "器具名称 型号规格", "企业经营", "计量"),
        _k("scj-individual", "个体工商户营业执照", P, "经营者 组成形式 经营场所 经营范围",
           "企业经营 就业", "个体户 摆摊"),
    )),
    ("国家税务总局演示区税务局", (
        _k("swj-tax-cert", "纳税信用等级证明", E, "纳税信用等级 评价年度", "企业经营",
           "纳税信用 开证明"),
        _k("swj-personal-tax", "个人所得税纳税记录", P, "税款所属期 实缴金额", "就业 住房",
           "个税 完税证明 开证明"),
        _k("swj-invoice", "发票领用资格证明", E, "发票种类 领用数量", "企业经营", "发票"),
    )),
    ("演示区住房和城乡建设管理委员会", (
        _k("zjw-builder", "建筑业企业资质证书", E, "资质类别及等级 注册地址", "企业经营 住房",
           "资质"),
        _k("zjw-realty-broker", "房地产经纪机构备案证明", E, "备案编号 经营场所", "企业经营 住房",
           "中介"),
        _k("zjw-rent-record", "房屋租赁登记备案证明", P, "房屋地址 租赁期限 出租人", "住房",
           "租房 租赁备案 开证明"),
        _k("zjw-public-housing", "公共租赁住房资格确认书", P, "家庭人数 确认日期", "住房 社会救助",
           "公租房 廉租房"),
        _k("zjw-engineer", "注册建造师注册证书", P, "注册专业 聘用单位", "就业 住房", "建造师"),
    )),
    ("演示区规划和自然资源局", (
        _k("ghj-property", "不动产权证书", P, "权利人 坐落 不动产单元号 用途 面积", "住房",
           "房产证 房本 产权证明", ("权利人", "坐落", "不动产单元号", "用途", "面积")),
        _k("ghj-property-proof", "不动产登记证明", P, "证明权利或事项 坐落", "住房",
           "抵押 开证明"),
        _k("ghj-land-use", "建设用地规划许可证", E, "用地单位 用地位置 用地面积", "企业经营 住房",
           "规划许可"),
    )),
    ("演示区教育局", (
        _k("jyj-graduate", "高等学校毕业证书", P, "学校名称 专业 学历层次 毕业日期", "教育 就业",
           "毕业证 学历证明"),
        _k("jyj-degree", "学士学位证书", P, "学位授予单位 学科门类", "教育 就业", "学位证"),
        _k("jyj-teacher", "教师资格证书", P, "资格种类 任教学科", "教育 就业", "教资"),
        _k("jyj-school", "民办学校办学许可证", E, "办学内容 办学地址", "企业经营 教育",
           "培训机构"),
        _k("jyj-student", "学籍证明", P, "学校名称 年级 学籍号", "教育", "在读证明 开证明"),
    )),
    ("演示区退役军人事务局", (
        _k("tyj-veteran", "退役军人优待证", P, "退役时间 优待类别", "退役军人", "优待证"),
        _k("tyj-discharge", "退役证", P, "入伍时间 退役时间 服役单位", "退役军人 就业",
           "退伍证"),
        _k("tyj-pension", "伤残人员证", P, "伤残等级 伤残性质", "退役军人 社会救助", "伤残证"),
    )),
    ("演示区残疾人联合会", (
        _k("cl-disability", "中华人民共和国残疾人证", P, "残疾类别 残疾等级", "残疾人 社会救助",
           "残疾证", released=False),
        _k("cl-subsidy", "残疾人两项补贴资格证明", P, "补贴类型 核定日期", "残疾人 社会救助",
           "护理补贴 开证明"),
    )),
    ("演示区文化和旅游局", (
        _k("wlj-guide", "导游证", P, "语种 等级 所属机构", "文化旅游 就业", "导游"),
        _k("wlj-travel-agency", "旅行社业务经营许可证", E, "经营范围 经营场所", "企业经营 文化旅游",
           "旅行社"),
        _k("wlj-entertainment", "娱乐经营许可证", E, "经营范围 经营场所", "企业经营 文化旅游",
           "KTV 歌舞厅"),
        _k("wlj-performance", "营业性演出许可证", E, "演出类别 住所", "企业经营 文化旅游", "演出"),
    )),
    ("演示区农业农村委员会", (
        _k("nyw-land-contract", "农村土地承包经营权证", P, "承包地坐落 承包面积 承包期限",
           "农业农村 住房", "承包地 土地证"),
        _k("nyw-homestead", "宅基地使用权证", P, "坐落 面积", "农业农村 住房", "宅基地"),
        _k("nyw-fishing", "渔业捕捞许可证", P, "船名 作业类型", "农业农村 就业", "捕鱼"),
        _k("nyw-animal", "动物防疫条件合格证", E, "经营范围 地址", "企业经营 农业农村", "养殖"),
    )),
    ("演示区生态环境局", (
        _k("sthj-discharge", "排污许可证", E, "行业类别 生产经营场所", "企业经营", "排污 环评"),
        _k("sthj-radiation", "辐射安全许可证", E, "种类和范围 地址", "企业经营", "辐射"),
    )),
    ("演示区应急管理局", (
        _k("yjj-safety", "安全生产许可证", E, "许可范围 住所", "企业经营", "安全生产"),
        _k("yjj-hazard", "危险化学品经营许可证", E, "许可范围 经营方式", "企业经营", "危化品"),
        _k("yjj-special-work", "特种作业操作证", P, "作业类别 准操项目", "就业", "电工证 焊工证"),
    )),
)


def directory() -> tuple[LicenceKind, ...]:
    """Every licence kind the sandbox platform knows, department by department."""
    kinds = []
    for department, rows in _TABLE:
        for code, name, holder, fields, themes, keywords, layout, released in rows:
            own = tuple(fields.split())
            layout_json = None if layout is None else {"title": f"{name}（打印件）",
                                                       "fields": [*layout, *COMMON_FIELDS]}
            kinds.append(LicenceKind(code, name, department, holder, own + COMMON_FIELDS,
                                     tuple(themes.split()), tuple(keywords.split()),
                                     layout_json, released))
    return tuple(kinds)


def kind_by_code(code: str) -> LicenceKind | None:
    """The directory entry for ``code``."""
    return next((k for k in directory() if k.code == code), None)


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:4], "big")


def holds(resident: SeedResident, kind: LicenceKind) -> bool:
    """Whether ``resident`` holds ``kind`` (enterprise kinds: as legal representative)."""
    if kind.holder_type == ENTERPRISE:
        return resident.business is not None and (
            kind.code == "scj-business" or _digest(resident.id17, kind.code) % 3 == 0)
    if kind.code in ("mzj-marriage",):
        return resident.marital_status in ("已婚", "丧偶", "离异")
    if kind.code == "mzj-divorce":
        return resident.marital_status == "离异"
    if kind.code in ("gaj-hukou", "gaj-idcard", "rsj-sscard", "ybj-medical-card"):
        return True
    return _digest(resident.id17, kind.code) % 4 == 0


def licence_id(resident: SeedResident, kind: LicenceKind) -> str:
    """A stable identifier of the resident's licence of ``kind`` (GB/T 36904 style)."""
    return f"1.2.156.3005.2.{_digest(kind.code) % 100000:05d}.{_digest(resident.id17, kind.code)}"


def _value(resident: SeedResident, kind: LicenceKind, name: str, issued: date) -> str:
    business = resident.business
    n = _digest(resident.id17, kind.code, name)
    if name == "证照编号":
        return f"{kind.code.split('-')[0].upper()}{issued:%Y}{n % 10**8:08d}"
    if name == "发证日期":
        return issued.isoformat()
    if name == "有效期至":
        return "长期" if n % 3 == 0 else (issued + timedelta(days=365 * 10)).isoformat()
    if name == "统一社会信用代码":
        return business_credit_code(resident)
    if name in ("名称", "用地单位") and business is not None:
        return business.name
    if name == "类型" and business is not None:
        return business.kind
    if name == "经营范围" and business is not None:
        return business.scope
    if name in ("成立日期", "注册日期") and business is not None:
        return business.registered_on.isoformat()
    if name == "性别":
        return resident.sex
    if name == "民族":
        return resident.ethnicity
    if name == "出生":
        return resident.birth_date.isoformat()
    if name in ("持证人", "户主姓名", "权利人", "经营者", "法定代表人"):
        return resident.name
    if "地址" in name or "住址" in name or name in ("住所", "坐落", "经营场所", "居住地址"):
        return resident.address
    if "日期" in name or "时间" in name or name == "出生":
        return (issued - timedelta(days=n % 3000)).isoformat()
    if "号" in name or "代码" in name:
        return f"{n % 10**10:010d}"
    if "面积" in name:
        return f"{50 + n % 120}.{n % 100:02d}平方米"
    if "姓名" in name:
        return "演示" + "甲乙丙丁戊己庚辛"[n % 8] + "某"
    choices = ("一级", "二级", "A类", "B类", "正常", "有效", "C1", "普通")
    return choices[n % len(choices)]


def licence_of(resident: SeedResident, kind: LicenceKind) -> dict[str, Any]:
    """The resident's licence of ``kind``: id, kind, title, issuer, fields in directory order."""
    issued = date(2018 + _digest(resident.id17, kind.code) % 7, 1 + _digest(kind.code) % 12, 8)
    values = {name: _value(resident, kind, name, issued) for name in kind.fields}
    holder = (resident.business.name if kind.holder_type == ENTERPRISE and resident.business
              else resident.name)
    return {
        "licence_id": licence_id(resident, kind), "kind": kind.code, "title": kind.name,
        "issuer": kind.department, "holder_type": kind.holder_type, "holder": holder,
        "number": values["证照编号"], "valid_to": values["有效期至"],
        "fields": [[name, values[name]] for name in kind.fields],
    }


def held_by(resident: SeedResident) -> list[dict[str, Any]]:
    """Every directory licence ``resident`` holds, in directory order."""
    return [licence_of(resident, k) for k in directory() if holds(resident, k)]


def copy_content(licence: dict[str, Any], kind: LicenceKind, purpose: str,
                 today: date, valid_days: int) -> dict[str, Any]:
    """A printable copy of ``licence`` (certificate-shaped, no serial): fields in the layout's
    order (the generic field table when the kind has no layout or the layout names a field the
    licence lacks), and the usage line the national guide prescribes for reused licences."""
    values = dict((str(a), str(b)) for a, b in licence["fields"])
    layout = kind.layout or {}
    order = list(layout.get("fields") or ())
    if not order or any(name not in values for name in order):
        order = list(values)
    valid_to = today + timedelta(days=valid_days)
    usage = (f"此件仅供办理政务服务事项时使用 · 用途：{purpose} · "
             f"有效期至{valid_to:%Y年%m月%d日}")
    return {
        "kind": f"licence:{kind.code}",
        "title": str(layout.get("title") or f"{kind.name}（电子证照打印件）"),
        "issuer": kind.department,
        "issue_date": today.isoformat(),
        "seal_text": kind.department,
        "fields": [["持证主体", licence["holder"]], *([n, values[n]] for n in order)],
        "table": None,
        "notes": ["本打印件由电子证照生成，与电子证照具有同等效力",
                  "本证明可通过扫描二维码或登录政务服务网核验真伪"],
        "usage": usage,
        "purpose": purpose,
        "valid_to": valid_to.isoformat(),
    }


def holders_table() -> dict[str, int]:
    """How many licences each seeded resident holds (for docs and tests)."""
    return {r.key: len(held_by(r)) for r in RESIDENTS}


if __name__ == "__main__":
    json.dump({"version": 1, "kinds": [k.to_json() for k in directory()]}, sys.stdout,
              ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
