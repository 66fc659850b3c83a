"""The console's tables (SQLAlchemy 2 declarative). The schema itself is made by the Alembic
migrations in kiosk/console/migrations; these classes must match them
(tests/console/test_migrations_match_models.py).

No table holds personal data of residents: terminals report device states, counts and
versions only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the console's tables."""


class User(Base):
    """A person who logs in to the console."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: 工号 shown to the resident in a 视频帮办 call (staff only; may be empty).
    badge: Mapped[str] = mapped_column(String(16), default="", server_default="")


class LoginThrottle(Base):
    """Failed logins per user name (known or not), for the lockout with a growing delay."""

    __tablename__ = "login_throttle"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebSession(Base):
    """A logged-in browser. The cookie holds a random id; the table holds its SHA-256 only."""

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_ip: Mapped[str] = mapped_column(String(64), default="")


class Terminal(Base):
    """An enrolled terminal and its latest reported state (one row, updated per heartbeat)."""

    __tablename__ = "terminals"
    __table_args__ = (Index("ix_terminals_fleet_order", "district", "site", "id"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    site: Mapped[str] = mapped_column(String(128), index=True)
    group_name: Mapped[str] = mapped_column(String(64), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    bundle_version: Mapped[str] = mapped_column(String(64), default="")
    devices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outbox_depth: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    last_update: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    out_of_service: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_service_message: Mapped[str] = mapped_column(String(200), default="")
    #: Kept in step with the last report by fleet.refresh_summary (the fleet page's SQL).
    degraded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    problems: Mapped[str] = mapped_column(String(300), default="", server_default="")


class TerminalEvent(Base):
    """Something a terminal reported happening (a device fault, paper out, an update...)."""

    __tablename__ = "terminal_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    device: Mapped[str] = mapped_column(String(32), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Alert(Base):
    """Something a person should look at; one open alert per terminal, kind and device."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    device: Mapped[str] = mapped_column(String(32), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Command(Base):
    """A remote operation for a terminal, collected with its heartbeat and acknowledged."""

    __tablename__ = "commands"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(200), default="")
    #: How long an announcement stays up (0 for other commands).
    hours: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(200), default="")


class AuditEntry(Base):
    """One change made by a person: who, what, when, from where. Append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    source_ip: Mapped[str] = mapped_column(String(64), default="")


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit row."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """The application side of append-only (the database triggers are the other side)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("the audit log is append-only")


class Webhook(Base):
    """A group-robot webhook (WeCom or DingTalk) that receives new alerts."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))  # wecom | dingtalk
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    """One alert to deliver to one webhook, with its attempts (the delivery log)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"),
                                            index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_result: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SigningKey(Base):
    """A person's release-signing key: public part in clear, private part encrypted with their
    passphrase (docs/adr/0620-two-person-release-signing.md). One per person."""

    __tablename__ = "signing_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    keyid: Mapped[str] = mapped_column(String(64), unique=True)
    public: Mapped[dict[str, Any]] = mapped_column(JSON)
    encrypted_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Release(Base):
    """An uploaded bundle on its way to the fleet: checked, then signed by two people, then
    published to the TUF repository (docs/adr/0621-releases-in-the-console.md)."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    audiences: Mapped[str] = mapped_column(String(500))
    #: refused (failed the check) | awaiting (signatures) | published | stale (repository moved)
    state: Mapped[str] = mapped_column(String(16), index=True)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prepared: Mapped[str | None] = mapped_column(Text, nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReleaseSignature(Base):
    """One person's signature over a release's prepared targets metadata."""

    __tablename__ = "release_signatures"
    __table_args__ = (Index("ix_release_signatures_once", "release_id", "user_id", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(64))
    keyid: Mapped[str] = mapped_column(String(64))
    signature: Mapped[dict[str, Any]] = mapped_column(JSON)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UsageRecord(Base):
    """One session, completed service or 好差评 a terminal reported: codes and counts only
    (docs/adr/0640-usage-and-ratings-without-personal-data.md). A 差评 (score 1-2) carries the
    rectification status an operator sets (待整改 / 已整改)."""

    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_records_kind_time", "kind", "occurred_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category: Mapped[str] = mapped_column(String(16), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: For a 差评: open (待整改) or rectified (已整改); empty otherwise.
    status: Mapped[str] = mapped_column(String(16), default="")


class DeliveredId(Base):
    """An event or usage record id a terminal delivered, so that a resend (the answer was lost,
    the terminal restarted before it could note it) is stored once (docs/adr/0701)."""

    __tablename__ = "delivered_ids"
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DiagnosticsBundle(Base):
    """A terminal's PII-free diagnostics bundle, uploaded for a diagnostics command
    (docs/adr/0702). Kept in the database so every console process can serve it."""

    __tablename__ = "diagnostics_bundles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), index=True)
    command_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TerminalGroup(Base):
    """A terminal's membership of a named group (pilot groups of a staged rollout), kept
    centrally and edited by admins (docs/adr/0721-rollout-stages-groups-adoption.md)."""

    __tablename__ = "terminal_groups"
    __table_args__ = (Index("ix_terminal_groups_once", "terminal_id", "group_name", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id", ondelete="CASCADE"))
    group_name: Mapped[str] = mapped_column(String(64), index=True)


class Rollout(Base):
    """Where a published release stands: nobody, a pilot group, a percentage, everyone;
    paused by a person or by itself (too many terminals failed its check)."""

    __tablename__ = "rollouts"
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"),
                                            primary_key=True)
    stage: Mapped[str] = mapped_column(String(16), default="none")  # none|pilot|percent|all
    pilot_group: Mapped[str] = mapped_column(String(64), default="")
    percent: Mapped[int] = mapped_column(Integer, default=0)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str] = mapped_column(String(200), default="")
    #: The paused stage's pointers for terminals that had not reported were taken back.
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Failures already seen when a person resumed it: only failures beyond these count again.
    failures_accepted: Mapped[int] = mapped_column(Integer, default=0)
    max_failures: Mapped[int] = mapped_column(Integer, default=2)
    max_failure_percent: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Adoption(Base):
    """What one terminal reported about one bundle version: downloaded, activated or
    check_failed (with the terminal's reason, masked; no personal data)."""

    __tablename__ = "release_adoptions"
    __table_args__ = (Index("ix_release_adoptions_once", "version", "terminal_id", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, index=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VideoCall(Base):
    """One 视频帮办 call, from the terminal's request to its end (kiosk/console/video/records.py).

    No resident data: the terminal, the queue, the service and step the resident was on, the
    staff member, the times, the outcome, the staff member's note (masked) and the rating.
    """

    __tablename__ = "video_calls"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id", ondelete="CASCADE"),
                                             index=True)
    queue: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(64))
    service_title: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(64))
    step_title: Mapped[str] = mapped_column(String(128))
    share_screen: Mapped[bool] = mapped_column(Boolean)
    lang: Mapped[str] = mapped_column(String(8))
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    staff_name: Mapped[str] = mapped_column(String(64), default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: "" while live; resident, wiped, network, staff, staff_left, console, cancelled,
    #: no_staff, outside_hours.
    end_reason: Mapped[str] = mapped_column(String(16), default="")
    #: "" until the staff member says: solved, unsolved, transferred.
    outcome: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
