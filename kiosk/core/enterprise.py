"""法人办事: who a session acts for (a resident or an enterprise) and how an enterprise is
identified (pure; no Kivy, no I/O).

An enterprise is identified by two things together: its code — the 统一社会信用代码 typed on the
screen (GB 32100 check characters verified here first, identifiers/credit_code.py) or the QR
code of its electronic business licence (``SCEL:1:<token>``, hostile until the platform looked
it up) — and the legal representative's ID card. The platform checks that the card holder is
the enterprise's legal representative (kiosk/adapters/identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from identifiers.credit_code import USCC_CHARS, uscc_valid
from kiosk.i18n import N_

PERSON, ENTERPRISE = "person", "enterprise"
#: The two first choices on the home screen, in order.
AUDIENCES = (PERSON, ENTERPRISE)
AUDIENCE_LABELS = {PERSON: N_("个人办事"), ENTERPRISE: N_("法人办事")}
#: The identification method an enterprise session is verified by.
ENTERPRISE_METHOD = "enterprise"
#: Scanned-code kinds that are an enterprise's business licence QR code.
LICENCE_CODE_KINDS = ("enterprise_code", "CodeKind.ENTERPRISE_CODE")

TEXT_CHOSEN = N_("法人办事：请选择要办理的企业事项")
TEXT_PERSON = N_("个人办事：请选择要办理的事项")
TEXT_BAD_CHECK = N_("统一社会信用代码校验位不正确，请核对后重新输入")
TEXT_BAD_LENGTH = N_("统一社会信用代码为18位，请核对后重新输入")
TEXT_CODE_OK = N_("企业代码已输入，请法定代表人将身份证放在感应区")
TEXT_LICENCE_SCANNED = N_("已识别电子营业执照，请法定代表人将身份证放在感应区")
TEXT_CODE_FIRST = N_("请先出示电子营业执照二维码或输入统一社会信用代码")
TEXT_SWITCH_LATER = N_("您已完成身份核验，如需切换个人办事或法人办事，请先退出并清除信息")


@dataclass(frozen=True, slots=True)
class EnterpriseIdentity:
    """The representative's card with the enterprise's code (typed or scanned)."""

    card: Any  # the ID card read (drivers.identity.Identity)
    credit_code: str = ""
    licence_code: str = ""

    @property
    def name(self) -> str:
        """The card holder's name (for masking and the log redactor)."""
        return str(getattr(self.card, "name", ""))

    @property
    def id_number(self) -> str:
        """The card holder's ID number."""
        return str(getattr(self.card, "id_number", ""))

    def __repr__(self) -> str:  # the card and codes are personal or secret
        return f"EnterpriseIdentity(typed={bool(self.credit_code)})"


def normalise_credit_code(text: str) -> str:
    """Upper case, no spaces; characters outside the credit-code alphabet kept (then refused)."""
    return "".join(text.split()).upper()[:18]


def credit_code_problem(code: str) -> str:
    """The msgid saying what is wrong with a typed credit code ("" when it is right)."""
    code = normalise_credit_code(code)
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return TEXT_BAD_LENGTH
    if not uscc_valid(code):
        return TEXT_BAD_CHECK
    return ""


def masked_credit_code(code: str) -> str:
    """913101********029E: enough to recognise, not to copy."""
    return code[:6] + "*" * 8 + code[14:] if len(code) == 18 else "*" * len(code)
