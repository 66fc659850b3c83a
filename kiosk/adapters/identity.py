"""Identity verification through the platform: card identity or personal code -> token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from flows.ports import DeviceName
from kiosk.core.enterprise import ENTERPRISE_METHOD
from kiosk.i18n import N_, current_locale, platform_words
from kiosk.platform.errors import PlatformError

if TYPE_CHECKING:
    from kiosk.platform.models import WireEnterpriseVerification, WireVerification

REFUSED_TEXT = N_("身份核验未通过，请到人工窗口办理")


class VerificationRefused(Exception):
    """The platform did not verify the resident; ``message`` is plain words in the UI's
    language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IdentityPlatform(Protocol):
    """The platform's identity check (kiosk.platform.PlatformClient.verify_identity; blocking)."""

    def verify_identity(self, method: str, *, id_number: str = "", name: str = "",
                        code: str = "") -> WireVerification:
        """A resident token when verified, else the reason; a fault is a `PlatformError`."""

    def verify_enterprise(self, *, id_number: str, name: str = "", credit_code: str = "",
                          licence_code: str = "") -> WireEnterpriseVerification:
        """法人: the representative's token with the enterprise's name, else the reason."""


class PlatformVerifier:
    """Implements kiosk.core.controller.IdentityVerifier over the platform client."""

    def __init__(self, client: IdentityPlatform) -> None:
        self._client = client

    def verify(self, method: str, identity: Any) -> tuple[str, str]:
        """Return (resident_token, masked display name) or raise with a plain message; for
        法人 (``enterprise``) the display name is the enterprise's name."""
        if method == ENTERPRISE_METHOD:
            return self._verify_enterprise(identity)
        from kiosk.platform.models import WireVerifyMethod  # pydantic: after the first frame

        try:
            if method == WireVerifyMethod.QRCODE:
                code = str(getattr(identity, "text", identity))
                result = self._client.verify_identity(WireVerifyMethod.QRCODE, code=code)
            else:
                platform_method = (WireVerifyMethod.SSCARD if method == DeviceName.SMARTCARD
                                   else WireVerifyMethod.IDCARD)
                result = self._client.verify_identity(platform_method,
                                                      id_number=identity.id_number,
                                                      name=identity.name)
        except PlatformError as exc:
            raise VerificationRefused(exc.resident_text(current_locale())) from None
        if not result.verified or not result.resident_token:
            raise VerificationRefused(platform_words(result.reason, REFUSED_TEXT,
                                                     current_locale()))
        return result.resident_token, result.display_name

    def _verify_enterprise(self, identity: Any) -> tuple[str, str]:
        try:
            result = self._client.verify_enterprise(
                id_number=identity.id_number, name=identity.name,
                credit_code=identity.credit_code, licence_code=identity.licence_code)
        except PlatformError as exc:
            raise VerificationRefused(exc.resident_text(current_locale())) from None
        if not result.verified or not result.resident_token:
            raise VerificationRefused(platform_words(result.reason, REFUSED_TEXT,
                                                     current_locale()))
        return result.resident_token, result.enterprise_name or result.display_name
