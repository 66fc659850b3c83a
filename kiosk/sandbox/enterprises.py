"""The sandbox's synthetic enterprises (法人) and how their representatives are verified.

An enterprise is a seeded resident's business (kiosk/sandbox/seed.py ``Business``): its credit
code (统一社会信用代码, GB 32100 check characters), its name, the resident as legal
representative, the licences it holds (the directory's enterprise kinds), and its tax and
social-insurance records (record kinds ``enterprise-tax`` and ``enterprise-social-insurance``,
built in kiosk/sandbox/records.py).

The enterprise's electronic business licence carries a QR code ``SCEL:1:<token>``: like the
personal code (``SCID:1:``) it proves nothing by itself; the platform looks the token up
(`POST /v1/enterprises/verify`) and answers only together with the legal representative's ID
card. A wrong check character, an unknown enterprise and a card that is not the representative's
are refused with plain words.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from typing import Any

from identifiers.credit_code import uscc_valid
from identifiers.masking import mask_name
from identifiers.resident_id import id_number_valid
from kiosk.sandbox import api
from kiosk.sandbox.records import business_credit_code
from kiosk.sandbox.seed import RESIDENTS, SeedResident

#: Prefix of the QR code on an enterprise's electronic business licence (亮照).
LICENCE_CODE_PREFIX = "SCEL:1:"
REFUSED_REPRESENTATIVE = "身份证信息与该企业登记的法定代表人不一致，请由法定代表人本人办理"
BAD_CHECK = "统一社会信用代码校验位不正确，请核对后重新输入"
NOT_FOUND = "未查询到该企业的登记信息，请核对统一社会信用代码"
BAD_LICENCE_CODE = "营业执照二维码无效，请出示电子营业执照或输入统一社会信用代码"


def licence_code(resident: SeedResident) -> str:
    """The QR code of the enterprise's electronic business licence ("" without a business)."""
    code = business_credit_code(resident)
    if not code:
        return ""
    digest = hashlib.sha256(f"sandbox-ebl:{code}".encode()).digest()
    return LICENCE_CODE_PREFIX + base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def enterprises() -> tuple[SeedResident, ...]:
    """The representatives of every synthetic enterprise."""
    return tuple(r for r in RESIDENTS if r.business is not None)


def find(credit_code: str = "", code: str = "") -> SeedResident | None:
    """The representative of the enterprise with ``credit_code`` or licence QR ``code``."""
    for resident in enterprises():
        if credit_code and business_credit_code(resident) == credit_code:
            return resident
        if code and licence_code(resident) == code:
            return resident
    return None


def verify(call: api.Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/enterprises/verify: {credit_code | licence_code, id_number, name}.

    A resident token for the legal representative acting for the enterprise, with the
    enterprise's name and its credit code; or ``verified: false`` with the reason."""
    body = api._obj(call)
    credit_code = api._str(body, "credit_code", "统一社会信用代码", required=False,
                           max_chars=18).upper()
    code = api._str(body, "licence_code", "营业执照二维码", required=False, max_chars=200)
    if not credit_code and not code:
        raise api.ApiError(422, "missing_field", "请输入统一社会信用代码或出示电子营业执照")
    if credit_code and not uscc_valid(credit_code):
        raise api.ApiError(422, "invalid_credit_code", BAD_CHECK)
    id_number = api._str(body, "id_number", "法定代表人身份证号码", max_chars=18).upper()
    if not id_number_valid(id_number):
        raise api.ApiError(422, "invalid_id_number", "证件号码格式不正确，请重新读卡")
    name = api._str(body, "name", "姓名", required=False, max_chars=64)
    representative = find(credit_code=credit_code) if credit_code else find(code=code)
    if representative is None:
        if code and not credit_code:
            raise api.ApiError(404, "enterprise_not_found", BAD_LICENCE_CODE)
        raise api.ApiError(404, "enterprise_not_found", NOT_FOUND)
    business = representative.business
    assert business is not None
    if id_number != representative.id_number or (name and name != representative.name):
        return 200, {"verified": False, "resident_token": "", "display_name": "",
                     "enterprise_name": "", "credit_code": "", "reason": REFUSED_REPRESENTATIVE}
    return 200, {"verified": True, "resident_token": api._issue_token(call, conn, representative),
                 "display_name": mask_name(representative.name), "enterprise_name": business.name,
                 "credit_code": business_credit_code(representative), "reason": ""}


ROUTES: tuple[api.Route, ...] = (api.Route("POST", "/v1/enterprises/verify", verify),)
