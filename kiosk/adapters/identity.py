"""Identity verification through the platform: card identity or personal code -> token."""

from __future__ import annotations

from typing import Any

from kiosk.platform.errors import PlatformError

REFUSED_TEXT = "身份核验未通过，请到人工窗口办理"


class VerificationRefused(Exception):
    """The platform did not verify the resident; ``message`` is plain Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PlatformVerifier:
    """Implements kiosk.controller.IdentityVerifier over the platform client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def verify(self, method: str, identity: Any) -> tuple[str, str]:
        """Return (resident_token, masked display name) or raise with a plain message."""
        try:
            if method == "qrcode":
                code = str(getattr(identity, "text", identity))
                result = self._client.verify_identity("qrcode", code=code)
            else:
                platform_method = "sscard" if method == "smartcard" else "idcard"
                result = self._client.verify_identity(platform_method,
                                                      id_number=identity.id_number,
                                                      name=identity.name)
        except PlatformError as exc:
            raise VerificationRefused(exc.message) from None
        if not result.verified or not result.resident_token:
            raise VerificationRefused(result.reason or REFUSED_TEXT)
        return result.resident_token, result.display_name
