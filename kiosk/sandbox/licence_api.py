"""The sandbox's licence directory endpoints (电子证照目录, 证照打印件).

- ``GET /v1/licence-kinds``: the directory (kind, department, holder type, fields, layout).
- ``GET /v1/residents/{token}/licence-holdings``: the directory licences the resident holds
  (as a person, and as legal representative of their enterprise).
- ``POST /v1/licence-copies``: a printable copy of one held licence for a stated purpose, with
  the usage line and validity; stored with its serial (table ``licence_copies``).
  ``403 not_released`` for kinds the department releases only at its window.

Kept apart from api.py (its route table includes `ROUTES` from here) so the two can change
independently.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from kiosk.sandbox import api, licence_kinds
from kiosk.sandbox.store import dumps

#: Purposes a copy may be printed for (a free text is refused: the watermark must be plain).
PURPOSES = ("办理政务服务事项", "入学", "就业", "购房", "租房", "社保医保", "出入境", "工商登记",
            "银行业务", "其他政务服务")
COPY_VALID_DAYS = 30
#: Copies are kept apart from certificates (证明补打 lists certificates of the platform's kinds).
COPIES_TABLE = (
    "CREATE TABLE IF NOT EXISTS licence_copies (seq INTEGER PRIMARY KEY, serial TEXT UNIQUE, "
    "licence_id TEXT NOT NULL, id_number TEXT NOT NULL, terminal_id TEXT NOT NULL, "
    "body TEXT NOT NULL, created_at TEXT NOT NULL)"
)


def kinds_list(call: api.Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/licence-kinds."""
    kinds = [k.to_json() for k in licence_kinds.directory()]
    return 200, {"version": 1, "kinds": kinds, "purposes": list(PURPOSES)}


def licence_holdings(call: api.Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/residents/{token}/licence-holdings[?kind=code]."""
    resident = api._token_resident(call, conn, call.params["token"])
    wanted = call.query.get("kind", "")
    items = [
        {key: value for key, value in lic.items() if key != "fields"}
        | {"preview": lic["fields"]}
        for lic in licence_kinds.held_by(resident) if not wanted or lic["kind"] == wanted
    ]
    return 200, {"items": items}


def licence_copy(call: api.Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/licence-copies."""
    body = api._obj(call)
    resident = api._token_resident(call, conn, api._str(body, "resident_token", "身份核验凭证"))
    terminal_id = api._str(body, "terminal_id", "终端编号", max_chars=64)
    wanted = api._str(body, "licence_id", "证照标识", max_chars=80)
    purpose = api._str(body, "purpose", "用途", max_chars=20)
    if purpose not in PURPOSES:
        raise api.ApiError(422, "invalid_field", "请选择证照打印件的用途")
    held = {lic["licence_id"]: lic for lic in licence_kinds.held_by(resident)}
    licence = held.get(wanted)
    if licence is None:
        raise api.ApiError(404, "licence_not_found", "未查询到您名下的该证照")
    kind = licence_kinds.kind_by_code(licence["kind"])
    if kind is None:  # pragma: no cover - held licences are of directory kinds
        raise api.ApiError(404, "licence_not_found", "未查询到您名下的该证照")
    if not kind.released:
        raise api.ApiError(403, "not_released", licence_kinds.NOT_RELEASED_MESSAGE)
    content = licence_kinds.copy_content(licence, kind, purpose, call.today, COPY_VALID_DAYS)
    conn.execute(COPIES_TABLE)
    seq = api._next_seq(conn, "licence_copies")
    serial = f"ZZ{call.today:%Y%m%d}{seq:06d}{secrets.token_hex(2).upper()}"
    copy = {"serial": serial, "holder_name": resident.name,
            "holder_id_number": resident.id_number, **content}
    conn.execute(
        "INSERT INTO licence_copies (seq, serial, licence_id, id_number, terminal_id, body, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, serial, wanted, resident.id_number, terminal_id, dumps(copy), api._iso(call.now)),
    )
    return 201, copy


ROUTES: tuple[api.Route, ...] = (
    api.Route("GET", "/v1/licence-kinds", kinds_list),
    api.Route("GET", "/v1/residents/{token}/licence-holdings", licence_holdings),
    api.Route("POST", "/v1/licence-copies", licence_copy, creates=True),
)
