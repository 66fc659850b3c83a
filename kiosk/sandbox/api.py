"""The sandbox's endpoint handlers and route table (no HTTP plumbing here).

Each handler takes a `Call` and a connection inside the store's transaction and returns
``(status, payload)`` or raises `ApiError`. ``ROUTES`` is the single list of what the sandbox
serves; tests compare it with docs/api/openapi.yaml in both directions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from identifiers.masking import mask_id_number, mask_name
from identifiers.resident_id import id_number_valid
from kiosk import __version__
from kiosk.sandbox import certificates, records, rules
from kiosk.sandbox.records import RECORD_KINDS
from kiosk.sandbox.seed import SeedResident, by_key, from_json
from kiosk.sandbox.store import dumps

API_VERSION = "v1"
TOKEN_TTL_SECONDS = 15 * 60  # reading with a token: no session lasts longer (ADR 0413)
#: Submitting with a token: a terminal's outbox may deliver an application or a rating made
#: while the network was down, later; the identity was verified when it was made (ADR 0116,
#: shortened from 7 days by ADR 0413: a weekend-long outage plus a working day).
SUBMISSION_TOKEN_TTL_SECONDS = 72 * 3600
MAX_PAGE_SIZE = 100
MAX_COMMENT_CHARS = 200
MAX_DESCRIPTION_CHARS = 500
APPOINTMENT_DAYS_AHEAD = 14
PROBLEM_REPLY_DAYS = 3
FACE_MISMATCH_MARKER = b"SANDBOX-FACE-MISMATCH"
VERIFY_METHODS = ("idcard", "sscard", "qrcode", "face")
#: 证明补打: certificates issued this many days back are listed for reissue.
REISSUE_DAYS = 30
MAX_ADDITION_CHARS = 200  # one title, label, value or note a service adds to a certificate
MAX_ADDITION_LINES = 12
WINDOWS = ("1号窗口", "2号窗口", "3号窗口", "4号窗口", "5号窗口", "6号窗口")


class ApiError(Exception):
    """An error answer: HTTP status, a stable code and a plain Chinese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message

    def payload(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(slots=True)
class Call:
    """One request as the handlers see it."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    idempotency_key: str | None
    today: date
    now: float = field(default_factory=time.time)
    #: SHA-256 of the caller's TLS client certificate ("" on the loopback HTTP sandbox): the
    #: terminal that a token is bound to (ADR 0412).
    terminal: str = ""


Handler = Callable[[Call, sqlite3.Connection], tuple[int, Any]]


@dataclass(frozen=True, slots=True)
class Route:
    """One served route: method, OpenAPI-style path template and handler."""

    method: str
    template: str
    handler: Handler
    creates: bool = False  # a creating POST: Idempotency-Key required, response replayed
    admin: bool = False  # the sandbox-only admin path (no faults, not a platform route)

    @property
    def regex(self) -> re.Pattern[str]:
        """The template as an anchored regex with one named group per parameter."""
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        return re.compile(f"^{pattern}$")


# -- helpers --------------------------------------------------------------------------------


def _obj(call: Call) -> dict[str, Any]:
    if not isinstance(call.body, dict):
        raise ApiError(400, "bad_request", "请求格式不正确")
    return call.body


def _str(
    body: dict[str, Any], key: str, label: str, required: bool = True, max_chars: int = 200
) -> str:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise ApiError(422, "missing_field", f"缺少{label}")
        return ""
    if not isinstance(value, str) or len(value) > max_chars:
        raise ApiError(422, "invalid_field", f"{label}格式不正确")
    return value.strip()


def _resident(conn: sqlite3.Connection, id_number: str) -> SeedResident | None:
    row = conn.execute("SELECT data FROM residents WHERE id_number=?", (id_number,)).fetchone()
    return from_json(json.loads(row[0])) if row else None


def _token_resident(
    call: Call, conn: sqlite3.Connection, token: str, submission: bool = False
) -> SeedResident:
    """The resident a token stands for; 401 when unknown or expired.

    Reads need a fresh token (`TOKEN_TTL_SECONDS`); submissions queued by a terminal while
    offline are accepted for `SUBMISSION_TOKEN_TTL_SECONDS` after verification.
    """
    row = conn.execute(
        "SELECT id_number, issued_at, terminal, revoked_at FROM tokens WHERE token=?", (token,)
    ).fetchone()
    ttl = SUBMISSION_TOKEN_TTL_SECONDS if submission else TOKEN_TTL_SECONDS
    if (
        row is None
        or row["issued_at"] + ttl < call.now
        or row["terminal"] != call.terminal  # bound to the certificate that obtained it
        or (row["revoked_at"] is not None and not submission)
    ):
        raise ApiError(401, "invalid_token", "身份核验已失效，请重新核验身份")
    resident = _resident(conn, row["id_number"])
    if resident is None:  # pragma: no cover - tokens only point at residents
        raise ApiError(401, "invalid_token", "身份核验已失效，请重新核验身份")
    return resident


def _iso(now: float) -> str:
    return datetime.fromtimestamp(now).astimezone().isoformat(timespec="seconds")


def _next_seq(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}").fetchone()[0])


# -- health and identity ---------------------------------------------------------------------


def health(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/health."""
    return 200, {"status": "ok", "version": __version__, "api": API_VERSION, "sandbox": True}


def _issue_token(call: Call, conn: sqlite3.Connection, resident: SeedResident) -> str:
    token = secrets.token_urlsafe(18)
    conn.execute(
        "DELETE FROM tokens WHERE issued_at < ?", (call.now - SUBMISSION_TOKEN_TTL_SECONDS,)
    )
    conn.execute(
        "INSERT INTO tokens (token, id_number, expires_at, issued_at, terminal) "
        "VALUES (?, ?, ?, ?, ?)",
        (token, resident.id_number, call.now + TOKEN_TTL_SECONDS, call.now, call.terminal),
    )
    return token


def revoke_token(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/identity/revoke: the session ended; the token reads nothing any more.

    Only the terminal that obtained the token may revoke it; an unknown, foreign or already
    revoked token is answered the same way (nothing to learn). Submissions queued in the
    terminal's outbox before the wipe are still accepted (ADR 0413).
    """
    body = _obj(call)
    token = _str(body, "resident_token", "身份核验凭证", max_chars=128)
    conn.execute(
        "UPDATE tokens SET revoked_at=? WHERE token=? AND terminal=? AND revoked_at IS NULL",
        (call.now, token, call.terminal),
    )
    return 200, {"revoked": True}


def _verified(call: Call, conn: sqlite3.Connection, resident: SeedResident) -> tuple[int, Any]:
    return 200, {
        "resident_token": _issue_token(call, conn, resident),
        "display_name": mask_name(resident.name),
        "verified": True,
    }


def _not_verified(resident: SeedResident, reason: str) -> tuple[int, Any]:
    return 200, {
        "resident_token": "",
        "display_name": mask_name(resident.name),
        "verified": False,
        "reason": reason,
    }


NOT_FOUND_RESIDENT = ApiError(404, "resident_not_found", "未查询到您的信息，请到人工窗口咨询")


def verify_identity(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/identity/verify."""
    body = _obj(call)
    method = body.get("method")
    if method not in VERIFY_METHODS:
        raise ApiError(422, "invalid_method", "不支持的核验方式")
    if method == "qrcode":
        code = _str(body, "code", "二维码")
        row = conn.execute("SELECT id_number FROM residents WHERE qr_code=?", (code,)).fetchone()
        if row is None:
            raise ApiError(404, "code_not_found", "二维码无效或已过期，请刷新后重新出示")
        resident = _resident(conn, row[0])
        assert resident is not None
        return _verified(call, conn, resident)
    id_number = _str(body, "id_number", "身份证号码", max_chars=18).upper()
    if not id_number_valid(id_number):
        raise ApiError(422, "invalid_id_number", "证件号码格式不正确，请重新读卡")
    resident = _resident(conn, id_number)
    if resident is None:
        raise NOT_FOUND_RESIDENT
    name = _str(body, "name", "姓名", required=False, max_chars=64)
    if name and name != resident.name:
        return _not_verified(resident, "姓名与证件号码不一致")
    if method == "face":
        raw = body.get("face_jpeg_b64")
        if not isinstance(raw, str) or not raw:
            raise ApiError(422, "missing_field", "缺少人脸照片")
        try:
            jpeg = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid_photo", "人脸照片格式不正确，请重新拍摄") from None
        if not (jpeg.startswith(b"\xff\xd8\xff") and jpeg.rstrip(b"\0").endswith(b"\xff\xd9")):
            raise ApiError(422, "invalid_photo", "人脸照片格式不正确，请重新拍摄")
        if resident.face == "none":
            return _not_verified(resident, "未查询到您的登记照片，请使用身份证核验")
        if resident.face == "mismatch" or FACE_MISMATCH_MARKER in jpeg:
            return _not_verified(resident, "人脸比对未通过，请正对摄像头重试")
    return _verified(call, conn, resident)


# -- resident data ---------------------------------------------------------------------------


def profile(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/residents/{token}/profile."""
    resident = _token_resident(call, conn, call.params["token"])
    return 200, {
        "name": resident.name,
        "id_number": resident.id_number,
        "sex": resident.sex,
        "birth_date": resident.birth_date.isoformat(),
        "age": resident.age_on(call.today),
        "ethnicity": resident.ethnicity,
        "phone": resident.phone,
        "address": resident.address,
        "household_address": resident.household_address,
        "employer": resident.employer,
        "marital_status": resident.marital_status,
        "social_security_number": resident.id_number,
    }


def _page(call: Call) -> tuple[int, int]:
    try:
        page = int(call.query.get("page", "1"))
        size = int(call.query.get("size", "10"))
    except ValueError:
        raise ApiError(422, "invalid_page", "分页参数不正确") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(422, "invalid_page", "分页参数不正确")
    return page, size


def _progress(row: sqlite3.Row, today: date) -> tuple[rules.CaseStatus, list[dict[str, Any]]]:
    """Status and history as of ``today``: an accepted case is done once its time limit passed.

    The sandbox has no case workers, so review "happens" deterministically when the promised
    time limit (counted in calendar days here) has elapsed; nothing is written back.
    """
    body = json.loads(row["body"])
    status = rules.CaseStatus(row["status"])
    history = json.loads(row["history"])
    if status is rules.CaseStatus.ACCEPTED:
        done_on = date.fromisoformat(body["submitted_at"][:10]) + timedelta(
            days=int(body["time_limit_days"])
        )
        if done_on <= today:
            status = rules.CaseStatus.APPROVED
            history.append(
                {
                    "at": done_on.isoformat(),
                    "status": status.value,
                    "label": rules.STATUS_LABELS[status],
                    "note": "审核通过，已办结",
                }
            )
    return status, history


def _case_row(row: sqlite3.Row, today: date) -> dict[str, Any]:
    body = json.loads(row["body"])
    status, _ = _progress(row, today)
    return {
        "case_number": row["case_number"],
        "service": row["service"],
        "service_title": rules.service_title(row["service"]),
        "submitted": body["submitted_at"][:16].replace("T", " "),
        "status": status.value,
        "status_label": rules.STATUS_LABELS[status],
    }


def record_list(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/residents/{token}/records/{kind}."""
    resident = _token_resident(call, conn, call.params["token"])
    kind = call.params["kind"]
    if kind not in RECORD_KINDS:
        raise ApiError(404, "unknown_record_kind", "暂不支持该项查询")
    page, size = _page(call)
    title, columns = RECORD_KINDS[kind]
    offset = (page - 1) * size
    if kind == "applications":
        total = conn.execute(
            "SELECT COUNT(*) FROM applications WHERE id_number=?", (resident.id_number,)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT * FROM applications WHERE id_number=? ORDER BY seq DESC LIMIT ? OFFSET ?",
            (resident.id_number, size, offset),
        ).fetchall()
        items = [_case_row(r, call.today) for r in rows]
        summary: dict[str, Any] = {"cases": total}
    else:
        total = conn.execute(
            "SELECT COUNT(*) FROM records WHERE id_number=? AND kind=?", (resident.id_number, kind)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT item FROM records WHERE id_number=? AND kind=? ORDER BY seq LIMIT ? OFFSET ?",
            (resident.id_number, kind, size, offset),
        ).fetchall()
        items = [json.loads(r[0]) for r in rows]
        row = conn.execute(
            "SELECT summary FROM summaries WHERE id_number=? AND kind=?", (resident.id_number, kind)
        ).fetchone()
        summary = json.loads(row[0]) if row else {}
    return 200, {
        "kind": kind,
        "title": title,
        "columns": [{"key": k, "label": label} for k, label in columns],
        "items": items,
        "page": page,
        "size": size,
        "total": total,
        "summary": summary,
    }


def _licences(conn: sqlite3.Connection, id_number: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT data FROM licences WHERE id_number=? ORDER BY seq", (id_number,)
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def licence_list(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/residents/{token}/licences."""
    resident = _token_resident(call, conn, call.params["token"])
    return 200, {"items": _licences(conn, resident.id_number)}


def benefit_list(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/residents/{token}/benefits."""
    resident = _token_resident(call, conn, call.params["token"])
    items = records.benefits(resident, call.today)
    approved = conn.execute(
        "SELECT 1 FROM applications WHERE id_number=? AND service=? AND status='approved'",
        (resident.id_number, "senior-allowance"),
    ).fetchone()
    if approved and not any(i["code"] == "senior-allowance" for i in items):
        amount = records.senior_allowance_per_month(resident.age_on(call.today))
        items.insert(
            0,
            {
                "code": "senior-allowance",
                "title": "老年综合津贴",
                "amount": records.money(amount),
                "reason": "申请已核准，下月起按月发放",
            },
        )
    return 200, {"items": items}


def prefill(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/services/{service}/prefill?resident_token=."""
    token = call.query.get("resident_token", "")
    resident = _token_resident(call, conn, token)
    service = call.params["service"]
    fields: dict[str, Any] = {
        "name": resident.name,
        "id_number": resident.id_number,
        "phone": resident.phone,
        "address": resident.address,
        "household_address": resident.household_address,
    }
    if service == "residence-registration":
        fields.update({"start_date": "", "housing": ""})
    elif service == "unemployment-registration":
        last = conn.execute(
            "SELECT item FROM records WHERE id_number=? AND kind=? ORDER BY seq LIMIT 1",
            (resident.id_number, "social-insurance-payments"),
        ).fetchone()
        fields["last_employer"] = json.loads(last[0])["unit"] if last else ""
    elif service == "newborn-one-thing":
        birth = [lic for lic in _licences(conn, resident.id_number) if lic["type"] == "birth"]
        if birth:
            fields.update(
                {
                    "child_name": birth[0].get("child_name", ""),
                    "birth_certificate_number": birth[0].get("number", ""),
                    "birth_licence_id": birth[0]["licence_id"],
                }
            )
    elif service == "senior-allowance":
        fields["bank_account"] = "社会保障卡金融账户"
    elif service == "flexible-employment-insurance":
        fields["base_level"] = "100"
    return 200, {"service": service, "fields": fields}


def service_list(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/services: the services with rules and the answers each needs."""
    return 200, {
        "items": [
            {"code": info.code, "title": info.title, "answers": info.answers}
            for info in rules.SERVICES.values()
        ]
    }


# -- applications ----------------------------------------------------------------------------


def _attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("attachments") or []
    if not isinstance(raw, list):
        raise ApiError(422, "invalid_field", "附件格式不正确")
    kept = []
    for item in raw:
        if not isinstance(item, dict):
            raise ApiError(422, "invalid_field", "附件格式不正确")
        try:
            data = base64.b64decode(str(item.get("data_b64", "")), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "attachment_corrupt", "附件上传不完整，请重新拍摄") from None
        if not data or hashlib.sha256(data).hexdigest() != item.get("sha256"):
            raise ApiError(422, "attachment_corrupt", "附件上传不完整，请重新拍摄")
        kept.append(
            {
                "name": str(item.get("name", "")),
                "content_type": str(item.get("content_type", "")),
                "sha256": item["sha256"],
                "size": len(data),
            }
        )
    return kept


def _prior_case(conn: sqlite3.Connection, service: str, resident: SeedResident) -> bool:
    ids = [resident.id_number]
    if service == "newborn-one-thing" and resident.spouse_key:
        ids.append(by_key(resident.spouse_key).id_number)
    marks = ",".join("?" * len(ids))
    row = conn.execute(
        f"SELECT 1 FROM applications WHERE service=? AND status!='refused' "
        f"AND id_number IN ({marks})",
        (service, *ids),
    ).fetchone()
    return row is not None


def submit_application(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/applications."""
    body = _obj(call)
    service = _str(body, "service", "事项", max_chars=64)
    resident = _token_resident(
        call, conn, _str(body, "resident_token", "身份核验凭证"), submission=True
    )
    terminal_id = _str(body, "terminal_id", "终端编号", max_chars=64)
    answers = body.get("answers") or {}
    licence_ids = body.get("licences") or []
    if not isinstance(answers, dict) or not isinstance(licence_ids, list):
        raise ApiError(422, "invalid_field", "申请内容格式不正确")
    held = {lic["licence_id"]: lic for lic in _licences(conn, resident.id_number)}
    if any(lid not in held for lid in licence_ids):
        raise ApiError(422, "unknown_licence", "所选电子证照无法使用，请重新选择")
    attachments = _attachments(body)
    app = rules.Application(
        resident=resident,
        answers=answers,
        licences=[held[lid] for lid in licence_ids],
        attachment_count=len(attachments),
        prior_case=_prior_case(conn, service, resident),
        today=call.today,
    )
    try:
        decision = rules.decide(service, app)
    except rules.AnswerError as exc:
        raise ApiError(422, "invalid_answer", exc.message) from None
    seq = _next_seq(conn, "applications")
    case_number = f"SB{call.today:%Y%m%d}{seq:06d}"
    at = _iso(call.now)
    history = [
        {"at": at, "status": "submitted", "label": "已提交", "note": ""},
        {
            "at": at,
            "status": decision.status.value,
            "label": rules.STATUS_LABELS[decision.status],
            "note": decision.reason,
        },
    ]
    stored = {
        "answers": answers,
        "licences": licence_ids,
        "attachments": attachments,
        "reason": decision.reason,
        "next_step": decision.next_step,
        "time_limit_days": decision.time_limit_days,
        "submitted_at": at,
    }
    conn.execute(
        "INSERT INTO applications (seq, case_number, service, id_number, terminal_id, "
        "status, body, history, idempotency_key, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            seq,
            case_number,
            service,
            resident.id_number,
            terminal_id,
            decision.status.value,
            dumps(stored),
            dumps(history),
            call.idempotency_key,
            at,
        ),
    )
    return 201, {
        "case_number": case_number,
        "service": service,
        "service_title": rules.service_title(service),
        "status": decision.status.value,
        "reason": decision.reason,
        "next_step": decision.next_step,
        "time_limit_days": decision.time_limit_days,
        "submitted_at": at,
    }


def _case(conn: sqlite3.Connection, case_number: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM applications WHERE case_number=?", (case_number,)).fetchone()
    if row is None:
        raise ApiError(404, "case_not_found", "未查询到该办件，请核对办件编号")
    return row


def application_status(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/applications/{case_number}."""
    row = _case(conn, call.params["case_number"])
    body = json.loads(row["body"])
    status, history = _progress(row, call.today)
    return 200, {
        "case_number": row["case_number"],
        "service": row["service"],
        "service_title": rules.service_title(row["service"]),
        "status": status.value,
        "status_label": rules.STATUS_LABELS[status],
        "reason": body["reason"],
        "next_step": body["next_step"],
        "time_limit_days": body["time_limit_days"],
        "submitted_at": body["submitted_at"],
        "history": history,
    }


# -- certificates ----------------------------------------------------------------------------


def _records_of(conn: sqlite3.Connection, id_number: str) -> tuple[dict, dict]:
    found: dict[str, list[Any]] = {}
    for row in conn.execute(
        "SELECT kind, item FROM records WHERE id_number=? ORDER BY kind, seq", (id_number,)
    ):
        found.setdefault(row["kind"], []).append(json.loads(row["item"]))
    summaries = {
        row["kind"]: json.loads(row["summary"])
        for row in conn.execute(
            "SELECT kind, summary FROM summaries WHERE id_number=?", (id_number,)
        )
    }
    return found, summaries


def issue_certificate(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/certificates."""
    body = _obj(call)
    kind = _str(body, "kind", "证明类型", max_chars=64)
    if kind not in certificates.KINDS:
        raise ApiError(422, "unknown_kind", "暂不支持打印该类证明")
    resident = _token_resident(call, conn, _str(body, "resident_token", "身份核验凭证"))
    terminal_id = _str(body, "terminal_id", "终端编号", max_chars=64)
    case_number = _str(body, "case_number", "办件编号", required=False, max_chars=64)
    case = None
    if kind == "acceptance-receipt" and not case_number:
        raise ApiError(422, "missing_field", "请提供需要补打回执的办件编号")
    if case_number:
        row = _case(conn, case_number)
        if row["id_number"] != resident.id_number:
            raise ApiError(404, "case_not_found", "未查询到该办件，请核对办件编号")
        stored = json.loads(row["body"])
        case = {
            "case_number": case_number,
            "status": _progress(row, call.today)[0].value,
            "service_title": rules.service_title(row["service"]),
            "submitted": stored["submitted_at"][:16].replace("T", " "),
            "time_limit_days": stored["time_limit_days"],
            "next_step": stored["next_step"],
        }
    additions = _additions(body)
    found, summaries = _records_of(conn, resident.id_number)
    spouse = by_key(resident.spouse_key).name if resident.spouse_key else ""
    facts = certificates.Facts(
        resident=resident,
        today=call.today,
        records=found,
        summaries=summaries,
        spouse_name=spouse,
        case=case,
    )
    try:
        content = certificates.build(kind, facts)
    except certificates.NotEligible as exc:
        raise ApiError(403, "not_eligible", exc.message) from None
    seq = _next_seq(conn, "certificates")
    serial = f"ZM{call.today:%Y%m%d}{seq:06d}{secrets.token_hex(2).upper()}"
    certificate = {"serial": serial, **content}
    if additions is not None:
        certificate["additions"] = additions
    conn.execute(
        "INSERT INTO certificates (seq, serial, kind, id_number, terminal_id, "
        "case_number, body, idempotency_key, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            seq,
            serial,
            kind,
            resident.id_number,
            terminal_id,
            case_number or None,
            dumps(certificate),
            call.idempotency_key,
            _iso(call.now),
        ),
    )
    return 201, certificate


def _additions(body: dict[str, Any]) -> dict[str, Any] | None:
    """The issuing service's additions (printed title, extra lines, notes), checked; kept with
    the serial so that a reissue prints the same document."""
    raw = body.get("additions")
    if raw is None:
        return None
    bad = ApiError(422, "invalid_field", "证明补充内容格式不正确")
    if not isinstance(raw, dict) or set(raw) - {"title", "fields", "notes"}:
        raise bad
    title, fields, notes = raw.get("title", ""), raw.get("fields", []), raw.get("notes", [])
    if not isinstance(title, str) or len(title) > MAX_ADDITION_CHARS:
        raise bad
    if (
        not isinstance(fields, list)
        or len(fields) > MAX_ADDITION_LINES
        or not all(
            isinstance(f, list)
            and len(f) == 2
            and all(isinstance(x, str) and len(x) <= MAX_ADDITION_CHARS for x in f)
            for f in fields
        )
    ):
        raise bad
    if (
        not isinstance(notes, list)
        or len(notes) > MAX_ADDITION_LINES
        or not all(isinstance(n, str) and len(n) <= MAX_ADDITION_CHARS for n in notes)
    ):
        raise bad
    return {"title": title, "fields": fields, "notes": notes}


def certificate_list(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/residents/{token}/certificates: issued to the resident in the last
    `REISSUE_DAYS` days, newest first (no content)."""
    resident = _token_resident(call, conn, call.params["token"])
    since = (call.today - timedelta(days=REISSUE_DAYS)).isoformat()
    items = []
    for row in conn.execute(
        "SELECT body FROM certificates WHERE id_number=? ORDER BY seq DESC", (resident.id_number,)
    ):
        body = json.loads(row["body"])
        if body["issue_date"] < since:
            continue
        printed_title = (body.get("additions") or {}).get("title") or body["title"]
        items.append(
            {
                "serial": body["serial"],
                "kind": body["kind"],
                "title": printed_title,
                "issue_date": body["issue_date"],
            }
        )
    for body in _licence_copies(conn, "id_number=?", resident.id_number):  # 证照打印件 too
        if body["issue_date"] >= since:
            items.append({"serial": body["serial"], "kind": body["kind"],
                          "title": body["title"], "issue_date": body["issue_date"]})
    return 200, {"items": items}


def _licence_copies(conn: sqlite3.Connection, where: str, value: str) -> list[dict[str, Any]]:
    """Licence copies (table ``licence_copies``, kiosk/sandbox/licence_api.py) matching
    ``where``, newest first; none before the first copy created the table."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                          "name='licence_copies'").fetchone()
    if exists is None:
        return []
    rows = conn.execute(f"SELECT body FROM licence_copies WHERE {where} ORDER BY seq DESC",
                        (value,)).fetchall()
    return [json.loads(row["body"]) for row in rows]


def certificate_reissue(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/certificates/{serial}/reissue: the stored certificate unchanged (same serial,
    same content) for its own holder; 404 for anyone else. Each reissue is recorded."""
    body = _obj(call)
    resident = _token_resident(call, conn, _str(body, "resident_token", "身份核验凭证"))
    terminal_id = _str(body, "terminal_id", "终端编号", max_chars=64)
    row = conn.execute(
        "SELECT body, id_number FROM certificates WHERE serial=?", (call.params["serial"],)
    ).fetchone()
    if row is not None and row["id_number"] == resident.id_number:
        found = json.loads(row["body"])
    else:  # a licence copy (证照打印件) is reprinted the same way: same serial, same content
        copies = _licence_copies(conn, "serial=?", call.params["serial"])
        found = copies[0] if copies else None
        if found is None or found.get("holder_id_number") != resident.id_number:
            raise ApiError(404, "certificate_not_found", "未查询到您名下的该证明，请核对证明编号")
    conn.execute(
        "INSERT INTO certificate_reissues (serial, terminal_id, created_at) VALUES (?, ?, ?)",
        (call.params["serial"], terminal_id, _iso(call.now)),
    )
    return 200, found


def certificate_check(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/certificates/{serial}: whether a printed serial is genuine (masked holder)."""
    row = conn.execute(
        "SELECT body, created_at FROM certificates WHERE serial=?", (call.params["serial"],)
    ).fetchone()
    copies = [] if row is not None else _licence_copies(conn, "serial=?", call.params["serial"])
    if row is None and not copies:
        raise ApiError(404, "certificate_not_found", "未查询到该证明，请核对编号")
    body = json.loads(row["body"]) if row is not None else copies[0]
    digest = hashlib.sha256(dumps(body).encode()).hexdigest()
    return 200, {
        "serial": body["serial"],
        "kind": body["kind"],
        "title": body["title"],
        "issuer": body["issuer"],
        "issue_date": body["issue_date"],
        "valid": True,
        "holder_masked": mask_name(body["holder_name"]),
        "holder_id_masked": mask_id_number(body["holder_id_number"]),
        "content_sha256": digest,
    }


# -- appointments, ratings, problem reports ------------------------------------------------


def book_appointment(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/appointments."""
    body = _obj(call)
    resident = _token_resident(call, conn, _str(body, "resident_token", "身份核验凭证"))
    terminal_id = _str(body, "terminal_id", "终端编号", max_chars=64)
    service = _str(body, "service", "事项", max_chars=64)
    raw_day = _str(body, "date", "预约日期", required=False, max_chars=10)
    try:
        day = date.fromisoformat(raw_day) if raw_day else call.today
    except ValueError:
        raise ApiError(422, "invalid_date", "预约日期格式不正确") from None
    if not call.today <= day <= call.today + timedelta(days=APPOINTMENT_DAYS_AHEAD):
        raise ApiError(422, "invalid_date", f"只能预约今天起{APPOINTMENT_DAYS_AHEAD}天内的日期")
    index = int(hashlib.sha256(service.encode()).hexdigest(), 16) % len(WINDOWS)
    window = WINDOWS[index]
    letter = "ABCDEF"[index]
    taken = conn.execute(
        "SELECT COUNT(*) FROM appointments WHERE day=? AND window=?", (day.isoformat(), window)
    ).fetchone()[0]
    ticket = f"{letter}{taken + 1:03d}"
    conn.execute(
        "INSERT INTO appointments (ticket, day, service, window, id_number, terminal_id, "
        "idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket,
            day.isoformat(),
            service,
            window,
            resident.id_number,
            terminal_id,
            call.idempotency_key,
            _iso(call.now),
        ),
    )
    return 201, {
        "ticket": ticket,
        "window": window,
        "waiting": taken,
        "date": day.isoformat(),
        "service": service,
        "service_title": rules.service_title(service),
    }


RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def rate(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/ratings: 1-2 need at least one reason."""
    body = _obj(call)
    terminal_id = _str(body, "terminal_id", "终端编号", max_chars=64)
    service = _str(body, "service", "事项", max_chars=64)
    score = body.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or score not in RATING_LABELS:
        raise ApiError(422, "invalid_score", "请选择评价等级")
    reasons = body.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) and r for r in reasons):
        raise ApiError(422, "invalid_field", "评价原因格式不正确")
    if score <= 2 and not reasons:
        raise ApiError(422, "reasons_required", "请至少选择一项不满意的原因")
    comment = _str(body, "comment", "评价内容", required=False, max_chars=MAX_COMMENT_CHARS)
    case_number = _str(body, "case_number", "办件编号", required=False, max_chars=64)
    if case_number:
        _case(conn, case_number)
    token = _str(body, "resident_token", "身份核验凭证", required=False)
    holder = conn.execute("SELECT id_number FROM tokens WHERE token=?", (token,)).fetchone()
    seq = _next_seq(conn, "ratings")
    rating_id = f"PJ{call.today:%Y%m%d}{seq:06d}"
    stored = {
        "terminal_id": terminal_id,
        "service": service,
        "score": score,
        "label": RATING_LABELS[score],
        "reasons": reasons,
        "comment": comment,
        "case_number": case_number,
        "id_number": holder[0] if holder else "",
    }
    conn.execute(
        "INSERT INTO ratings (seq, rating_id, body, idempotency_key, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (seq, rating_id, dumps(stored), call.idempotency_key, _iso(call.now)),
    )
    return 201, {
        "rating_id": rating_id,
        "label": RATING_LABELS[score],
        "reply_required": score <= 2,
    }


def report_problem(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/problem-reports (办不成事反映)."""
    body = _obj(call)
    stored = {
        "terminal_id": _str(body, "terminal_id", "终端编号", max_chars=64),
        "service": _str(body, "service", "事项", max_chars=64),
        "step": _str(body, "step", "办理环节", max_chars=64),
        "category": _str(body, "category", "问题类型", max_chars=64),
        "description": _str(body, "description", "问题描述", max_chars=MAX_DESCRIPTION_CHARS),
        "contact_phone": _str(body, "contact_phone", "联系电话", required=False, max_chars=20),
    }
    seq = _next_seq(conn, "problem_reports")
    report_id = f"FY{call.today:%Y%m%d}{seq:06d}"
    conn.execute(
        "INSERT INTO problem_reports (seq, report_id, body, idempotency_key, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (seq, report_id, dumps(stored), call.idempotency_key, _iso(call.now)),
    )
    return 201, {"report_id": report_id, "reply_within_days": PROBLEM_REPLY_DAYS}


# -- fleet -------------------------------------------------------------------------------------


def heartbeat(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """POST /v1/terminals/{terminal_id}/heartbeat."""
    body = _obj(call)
    terminal_id = call.params["terminal_id"]
    if len(terminal_id) > 64:
        raise ApiError(422, "invalid_field", "终端编号格式不正确")
    for key in ("app_version", "bundle_version"):
        if not isinstance(body.get(key, ""), str):
            raise ApiError(422, "invalid_field", f"{key} must be a string")
    if not isinstance(body.get("devices", {}), dict):
        raise ApiError(422, "invalid_field", "devices must be an object")
    depth = body.get("outbox_depth", 0)
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise ApiError(422, "invalid_field", "outbox_depth must be a non-negative integer")
    at = _iso(call.now)
    conn.execute(
        "INSERT INTO terminals (terminal_id, body, last_seen, heartbeats) "
        "VALUES (?, ?, ?, 1) ON CONFLICT(terminal_id) DO UPDATE SET "
        "body=excluded.body, last_seen=excluded.last_seen, heartbeats=heartbeats+1",
        (terminal_id, dumps(body), at),
    )
    return 200, {"ok": True, "server_time": at}


def fleet(call: Call, conn: sqlite3.Connection) -> tuple[int, Any]:
    """GET /v1/terminals: the latest heartbeat of every terminal."""
    items = []
    for row in conn.execute("SELECT * FROM terminals ORDER BY terminal_id"):
        body = json.loads(row["body"])
        seen = datetime.fromisoformat(row["last_seen"]).timestamp()
        items.append(
            {
                **body,
                "terminal_id": row["terminal_id"],
                "last_seen": row["last_seen"],
                "seconds_since_seen": max(0, round(call.now - seen)),
                "heartbeats": row["heartbeats"],
            }
        )
    return 200, {"items": items}


PUBLIC_ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/health", health),
    Route("POST", "/v1/identity/verify", verify_identity),
    Route("POST", "/v1/identity/revoke", revoke_token),
    Route("GET", "/v1/residents/{token}/profile", profile),
    Route("GET", "/v1/residents/{token}/records/{kind}", record_list),
    Route("GET", "/v1/residents/{token}/licences", licence_list),
    Route("GET", "/v1/residents/{token}/benefits", benefit_list),
    Route("GET", "/v1/services", service_list),
    Route("GET", "/v1/services/{service}/prefill", prefill),
    Route("POST", "/v1/applications", submit_application, creates=True),
    Route("GET", "/v1/applications/{case_number}", application_status),
    Route("POST", "/v1/certificates", issue_certificate, creates=True),
    Route("GET", "/v1/certificates/{serial}", certificate_check),
    Route("GET", "/v1/residents/{token}/certificates", certificate_list),
    Route("POST", "/v1/certificates/{serial}/reissue", certificate_reissue),
    Route("POST", "/v1/appointments", book_appointment, creates=True),
    Route("POST", "/v1/ratings", rate, creates=True),
    Route("POST", "/v1/problem-reports", report_problem, creates=True),
    Route("POST", "/v1/terminals/{terminal_id}/heartbeat", heartbeat),
    Route("GET", "/v1/terminals", fleet),
)
