"""The licence directory calls of the platform client (电子证照目录, 证照打印件).

`LicenceCalls` is mixed into `PlatformClient` (kiosk/platform/client.py) and uses its request
plumbing (retries, deadlines, idempotency, TLS); the wire models live here with the calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from kiosk.platform.errors import ErrorKind, PlatformError
from kiosk.platform.models import WireCertificate


@dataclass(frozen=True, slots=True)
class LicenceKindInfo:
    """One kind of the platform's licence directory."""

    code: str
    name: str
    department: str
    holder_type: str  # person | enterprise
    fields: tuple[str, ...]
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    layout: dict[str, Any] | None = None
    released: bool = True
    name_en: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LicenceKindInfo:
        """Build from one ``kinds`` item."""
        layout = data.get("layout")
        return cls(str(data["code"]), str(data["name"]), str(data["department"]),
                   str(data["holder_type"]), tuple(str(f) for f in data["fields"]),
                   tuple(str(t) for t in data.get("themes", ())),
                   tuple(str(k) for k in data.get("keywords", ())),
                   dict(layout) if isinstance(layout, dict) else None,
                   bool(data.get("released", True)), str(data.get("name_en") or ""))


@dataclass(frozen=True, slots=True)
class LicenceHolding:
    """A directory licence the resident (or their enterprise) holds."""

    licence_id: str
    kind: str
    title: str
    issuer: str
    holder: str
    number: str
    valid_to: str
    preview: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:  # the holder and the number are personal data
        return f"LicenceHolding(kind={self.kind})"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LicenceHolding:
        """Build from one ``items`` entry."""
        return cls(str(data["licence_id"]), str(data["kind"]), str(data["title"]),
                   str(data["issuer"]), str(data.get("holder", "")), str(data.get("number", "")),
                   str(data.get("valid_to", "")),
                   tuple((str(a), str(b)) for a, b in data.get("preview", ())))


@dataclass(frozen=True, slots=True)
class LicenceCopy:
    """A printable copy: certificate content plus the usage line, purpose and validity."""

    certificate: WireCertificate
    usage: str
    purpose: str
    valid_to: date


class LicenceCalls:
    """Mixin: the licence directory endpoints over the client's `_request`/`_post`."""

    terminal_id: str
    _request: Callable[..., tuple[Any, bool]]
    _post: Callable[..., tuple[Any, bool, str]]

    def licence_kinds(self) -> tuple[LicenceKindInfo, ...]:
        """``GET /v1/licence-kinds``: the directory."""
        data, _ = self._request("licence_kinds", "GET", "/v1/licence-kinds")
        return _shape("licence_kinds",
                      lambda: tuple(LicenceKindInfo.from_json(k) for k in data["kinds"]))

    def licence_holdings(self, resident_token: str, kind: str = "") -> tuple[LicenceHolding, ...]:
        """``GET /v1/residents/{token}/licence-holdings``: held licences (of ``kind``)."""
        data, _ = self._request("licence_holdings", "GET",
                                f"/v1/residents/{_seg(resident_token)}/licence-holdings",
                                params={"kind": kind} if kind else None)
        return _shape("licence_holdings",
                      lambda: tuple(LicenceHolding.from_json(i) for i in data["items"]))

    def licence_copy(self, resident_token: str, licence_id: str, purpose: str,
                     idempotency_key: str | None = None) -> LicenceCopy:
        """``POST /v1/licence-copies``: the same key always returns the same serial."""
        body = {"resident_token": resident_token, "terminal_id": self.terminal_id,
                "licence_id": licence_id, "purpose": purpose}
        data, replayed, key = self._post("licence_copy", "/v1/licence-copies", body,
                                         idempotency_key)
        return _shape("licence_copy", lambda: LicenceCopy(
            WireCertificate.model_validate({**data, "idempotency_key": key,
                                            "replayed": replayed}), str(data["usage"]),
            str(data["purpose"]), date.fromisoformat(str(data["valid_to"]))))


def _shape(op: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ValidationError):
        raise PlatformError(ErrorKind.SERVER_ERROR, code=f"bad_answer:{op}") from None


def _seg(value: str) -> str:
    if not value:
        raise PlatformError(ErrorKind.INVALID, code="empty_path_segment")
    return quote(value, safe="")
