"""The console's settings, validated once (pass values, not this object, further down)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.console.video.hours import StaffHours


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    """How one console process runs."""

    #: SQLAlchemy URL; None = the embedded SQLite in var/console/.
    database_url: str | None = None
    #: Send cookies only over HTTPS (on in production behind TLS; off for loopback tests).
    secure_cookies: bool = False
    #: A terminal's heartbeats closer together than this are refused with 429 (a storm).
    heartbeat_min_interval_seconds: float = 10.0
    #: A terminal's events beyond this many per minute are refused with 429 (a storm).
    events_per_minute: int = 120
    #: How often the background sweep raises "offline" alerts.
    offline_sweep_interval_seconds: float = 30.0
    #: How often each console process looks for alert notifications to deliver.
    notify_interval_seconds: float = 2.0
    #: First retry delay of a failed webhook delivery (then x3 each time).
    notify_retry_base_seconds: float = 10.0
    #: The published TUF folder the console writes releases to (served by any static server).
    update_repo_dir: str = "var/update-repo"
    #: The online keys (root, snapshot, timestamp); never inside update_repo_dir.
    update_keys_dir: str = "var/update-keys"
    #: Where uploaded bundles wait for their signatures (named by SHA-256, never by upload name).
    release_dir: str = "var/console/releases"
    #: Largest bundle upload accepted.
    max_bundle_bytes: int = 16 * 1024 * 1024
    #: 视频帮办: when staff answer (China time); outside them terminals get the hours and hotline.
    video_hours: StaffHours = field(default_factory=StaffHours)
    #: 视频帮办: queues with hours of their own (queue id -> hours); the others follow
    #: video_hours (docs/adr/0822).
    video_queue_hours: Mapping[str, StaffHours] = field(default_factory=dict)
    #: 视频帮办: the hotline a terminal shows when no one can answer.
    video_hotline: str = "12345"
    #: 视频帮办: ICE servers for the staff browser (STUN/TURN URLs); empty on a LAN.
    video_ice_servers: tuple[str, ...] = ()
    #: 视频帮办: whether this console process runs the signalling hub (docs/adr/0751); the
    #: others refuse the video sockets with close code 4503 so a balancer retries elsewhere.
    video_hub: bool = True
    #: 视频帮办 on PostgreSQL: the processes elect the hub among themselves and the others relay
    #: their video sockets to it over LISTEN/NOTIFY (kiosk/console/video/relay.py).
    video_relay: bool = False
    #: 视频帮办: the handling time assumed for estimates before any call has been recorded.
    video_default_handle_seconds: float = 180.0
