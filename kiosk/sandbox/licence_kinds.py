"""The sandbox platform's electronic licence directory (电子证照目录) and its synthetic holders.

Every kind has a code, a name, the issuing department, the holder type (``person`` or
``enterprise``), its fields, the themes residents browse by, and optionally a layout (the
printed title and the order of the fields); a kind without a layout prints as a generic field
table. Which residents hold which kinds, and the values on their licences, are derived from the
seeded residents deterministically (nothing random, nothing real). The kinds themselves are data:
kiosk/sandbox/licence_kinds.txt, one kind a line under its department.

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
from functools import cache
from pathlib import Path
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
    name_en: str = ""  # the English name (English mode); "" = none known

    def to_json(self) -> dict[str, Any]:
        """The directory entry as served by ``GET /v1/licence-kinds``."""
        return {
            "code": self.code, "name": self.name, "department": self.department,
            "holder_type": self.holder_type, "fields": list(self.fields),
            "themes": list(self.themes), "keywords": list(self.keywords),
            "layout": self.layout, "released": self.released, "name_en": self.name_en,
        }


#: The directory as data: departments and their kinds, one a line (format in the file's head).
TABLE_FILE = Path(__file__).with_name("licence_kinds.txt")
#: English names: "code | English name" a line.
ENGLISH_FILE = Path(__file__).with_name("licence_kinds_en.txt")
_HOLDERS = {"P": PERSON, "E": ENTERPRISE}


@cache
def _rows() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(department, the kind's eight columns) for every kind line of `TABLE_FILE`, in order."""
    rows: list[tuple[str, tuple[str, ...]]] = []
    department = ""
    lines = TABLE_FILE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith("## "):
            department = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("|")]
        if not department or not 3 <= len(cols) <= 8 or cols[2] not in _HOLDERS:
            raise ValueError(f"{TABLE_FILE}:{number}: expected 'code | name | P or E | ...' "
                             "under a '## department' line")
        rows.append((department, tuple(cols + [""] * (8 - len(cols)))))
    return tuple(rows)


@cache
def _english() -> dict[str, str]:
    """code -> English name, from `ENGLISH_FILE`."""
    names: dict[str, str] = {}
    for line in ENGLISH_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "|" in line:
            code, name = (part.strip() for part in line.split("|", 1))
            names[code] = name
    return names


def directory() -> tuple[LicenceKind, ...]:
    """Every licence kind the sandbox platform knows, department by department."""
    kinds = []
    english = _english()
    for department, (code, name, holder, fields, themes, keywords, layout, released) in _rows():
        layout_json = None if not layout else {"title": f"{name}（打印件）",
                                               "fields": [*layout.split(), *COMMON_FIELDS]}
        kinds.append(LicenceKind(code, name, department, _HOLDERS[holder],
                                 tuple(fields.split()) + COMMON_FIELDS, tuple(themes.split()),
                                 tuple(keywords.split()), layout_json, released != "no",
                                 english.get(code, "")))
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
