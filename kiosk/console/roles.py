"""Roles and what each may do. Every route names the permission it needs (routes/deps.py);
tests/console/test_wrong_role_refused.py checks every route against this table.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The five kinds of console user."""

    ADMIN = "admin"  # 管理员
    OPERATOR = "operator"  # 运维
    APPROVER = "approver"  # 审核
    VIEWER = "viewer"  # 观察员 (read-only)
    HELPER = "helper"  # 帮办坐席 (takes 视频帮办 calls)


class Permission(StrEnum):
    """One thing a route does."""

    VIEW_FLEET = "view_fleet"  # fleet, terminal pages, alerts list
    ACK_ALERT = "ack_alert"  # acknowledge / resolve alerts
    OPERATE = "operate"  # remote operations on a terminal
    READ_AUDIT = "read_audit"  # read the audit log
    EXPORT_AUDIT = "export_audit"  # download the audit log as CSV
    MANAGE_USERS = "manage_users"  # add users, change roles, disable
    ENROL = "enrol"  # add, re-key and revoke terminals
    MANAGE_NOTIFY = "manage_notify"  # alert webhooks and their delivery log
    VIEW_RELEASES = "view_releases"  # release list and pages (diff, check report, signatures)
    UPLOAD_RELEASE = "upload_release"  # upload a bundle; switch the repository to two people
    SIGN_RELEASE = "sign_release"  # hold a signing key, sign a release, publish it
    VIEW_STATS = "view_stats"  # 统计: usage and 好差评 pages, their CSV
    RECTIFY = "rectify"  # set a 差评's status (待整改 / 已整改)
    MANAGE_ROLLOUT = "manage_rollout"  # terminal groups; widen, pause, resume a rollout; rollback
    HELP_VIDEO = "help_video"  # 视频帮办: be in the queue, take calls, hint, highlight
    VIEW_HELP_RECORDS = "view_help_records"  # 帮办记录: the list of calls (no personal data)


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "管理员",
    Role.OPERATOR: "运维",
    Role.APPROVER: "审核",
    Role.VIEWER: "观察员",
    Role.HELPER: "帮办坐席",
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPERATOR: frozenset({Permission.VIEW_FLEET, Permission.ACK_ALERT, Permission.OPERATE,
                              Permission.VIEW_RELEASES, Permission.VIEW_STATS,
                              Permission.RECTIFY, Permission.VIEW_HELP_RECORDS}),
    Role.APPROVER: frozenset({Permission.VIEW_FLEET, Permission.READ_AUDIT,
                              Permission.VIEW_RELEASES, Permission.SIGN_RELEASE,
                              Permission.VIEW_STATS, Permission.VIEW_HELP_RECORDS}),
    Role.VIEWER: frozenset({Permission.VIEW_FLEET, Permission.VIEW_RELEASES,
                            Permission.VIEW_STATS, Permission.VIEW_HELP_RECORDS}),
    Role.HELPER: frozenset({Permission.VIEW_FLEET, Permission.HELP_VIDEO,
                            Permission.VIEW_HELP_RECORDS}),
}


def allows(role: str, permission: Permission) -> bool:
    """True when `role` (a stored string) holds `permission`; unknown roles hold nothing."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False


def label(role: str) -> str:
    """The Chinese name of a role, or the raw string for an unknown one."""
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role
