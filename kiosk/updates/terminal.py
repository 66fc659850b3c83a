"""The terminal's updater: verify with TUF, stage into a slot, activate between sessions, check,
roll back by itself.

One poll (:meth:`BundleUpdater.poll`) does::

    refresh TUF metadata (ngclient, trusted root shipped with the app, metadata persisted)
      -> pick the highest version among the channels for this terminal (own id, groups, all)
      -> refuse: older than what runs or was seen, known bad, needs a newer app
      -> download + verify (length and sha256 from signed targets metadata)
      -> unpack safely into slots/.incoming-N, verify against the manifest, rename to slots/vN
      -> staged; if is_idle(): switch the active slot, run check_bundle(slot);
         problems -> switch back to the previous slot, mark N bad, outcome ROLLED_BACK

The kiosk builds one :class:`BundleUpdater`, calls :meth:`poll` from a worker thread every
``POLL_INTERVAL_SECONDS`` (or :func:`run_polling`), calls :meth:`activate` when a session ends
(attract), loads services from :meth:`active_bundle` and reports :meth:`heartbeat` fields.
Every refusal keeps the active bundle and is logged (event ``update_rejected`` with a reason).

A poll never kills the polling thread (docs/adr/0425): a malformed field in signed metadata is a
refusal, and any other error in one poll is recorded as the check outcome ``error`` (the
heartbeat's ``update_check`` and ``update_check_reason``) and the next poll runs. A bundle refused
after download (unpack, manifest) is remembered by its signed sha256, so it is not downloaded
again while this app version runs. :meth:`BundleUpdater.activate` never waits for a poll that is
downloading: it returns at once and the poll activates when it ends.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import urllib3
from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import TargetFile
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from kiosk import REPO_ROOT, __version__
from kiosk.core.events import log_event
from kiosk.updates import plain
from kiosk.updates.bundle import (
    BundleCheck,
    BundleError,
    app_version_satisfies,
    remove_tree,
    unpack_archive,
)
from kiosk.updates.checks import bundle_check
from kiosk.updates.fetch import DownloadDeadlineError, HttpFetcher
from kiosk.updates.repository import bundle_target_path, channel_paths
from kiosk.updates.rollout import rollout_paths
from kiosk.updates.state import (
    CheckKind,
    Outcome,
    OutcomeKind,
    RefusedBundle,
    UpdateState,
    load_state,
    save_state,
)

#: How often the kiosk asks the repository for news. An idle poll costs about one timestamp
#: (~1.3 KB with headers) plus one 404 for the next root (see `kiosk bench updates`).
POLL_INTERVAL_SECONDS = 300.0
#: Bundle slots kept on disk: the active one and the ones before it, for rollback.
KEEP_SLOTS = 3
#: Gap timeout of a download; a stalled mirror is given up at the next poll.
SOCKET_TIMEOUT_SECONDS = 20
#: Whole-download deadline: a mirror trickling bytes just under the gap timeout (slow retrieval)
#: is cut off here. 5 MB at a poor 100 kbit/s takes ~7 minutes.
DOWNLOAD_DEADLINE_SECONDS = 900.0
#: Where the app's trusted root lives (replaced per deployment: docs/adr/0163).
DEFAULT_TRUSTED_ROOT = REPO_ROOT / "config" / "trusted_root.json"

_log = logging.getLogger("kiosk.updates")


@dataclass(frozen=True)
class ActiveBundle:
    """The bundle the kiosk should load services from."""

    version: int
    path: Path


@dataclass(frozen=True)
class Offer:
    """The newest bundle the repository offers this terminal."""

    version: int
    target_path: str
    min_app_version: str
    channel: str


class DeadlineFetcher(FetcherInterface):
    """Wraps an injected fetcher and gives up on a download past a deadline (checked between
    chunks only; the default :class:`~kiosk.updates.fetch.HttpFetcher` holds it to the ms)."""

    def __init__(self, inner: FetcherInterface, deadline_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._deadline_seconds = deadline_seconds
        self._clock = clock

    def _fetch(self, url: str) -> Iterator[bytes]:
        start = self._clock()
        for chunk in self._inner.fetch(url):
            if self._clock() - start > self._deadline_seconds:
                raise DownloadDeadlineError(
                    f"download took longer than {self._deadline_seconds:g} s")
            yield chunk


class _Refusal(Exception):
    """Internal: the repository served something we refuse (security or policy)."""


class _Unreachable(Exception):
    """Internal: network or server trouble."""


def _utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_trusted_root(path: Path = DEFAULT_TRUSTED_ROOT) -> bytes:
    """The root metadata shipped with the app; FileNotFoundError if this build has none."""
    return Path(path).read_bytes()


class BundleUpdater:
    """Terminal side of flow updates (thread-safe; one instance per process)."""

    def __init__(
        self,
        *,
        data_dir: Path,
        repo_url: str,
        trusted_root: bytes,
        terminal_id: str,
        is_idle: Callable[[], bool],
        groups: Sequence[str] = (),
        check_bundle: BundleCheck = bundle_check,
        app_version: str = __version__,
        keep_slots: int = KEEP_SLOTS,
        metadata_dir: Path | None = None,
        fetcher: FetcherInterface | None = None,
        download_deadline_seconds: float = DOWNLOAD_DEADLINE_SECONDS,
        now: Callable[[], str] = _utcnow,
    ) -> None:
        self.base_dir = Path(data_dir) / "updates"
        self.metadata_dir = Path(metadata_dir) if metadata_dir else self.base_dir / "metadata"
        self.slots_dir = self.base_dir / "slots"
        self.downloads_dir = self.base_dir / "downloads"
        self.state_path = self.base_dir / "state.json"
        self.repo_url = repo_url.rstrip("/") + "/" if repo_url else ""
        self.trusted_root = trusted_root
        self.terminal_id = terminal_id
        self.groups = tuple(groups)
        self.is_idle = is_idle
        self.check_bundle = check_bundle
        self.app_version = app_version
        self.keep_slots = max(2, keep_slots)
        self._fetcher: FetcherInterface = (
            DeadlineFetcher(fetcher, download_deadline_seconds) if fetcher is not None
            else HttpFetcher(SOCKET_TIMEOUT_SECONDS, download_deadline_seconds,
                             user_agent=f"kiosk/{__version__}"))
        self._now = now
        self._thread_lock = threading.Lock()
        self._updater: Updater | None = None
        self._offers_seen: list[Offer] = []

    # ----- what the kiosk reads ---------------------------------------------------------------

    def active_bundle(self) -> ActiveBundle | None:
        """The active bundle (version and folder), or None while the built-in catalogue runs."""
        state = load_state(self.state_path)
        if state.active is None:
            return None
        return ActiveBundle(state.active, self._slot(state.active))

    def last_outcome(self) -> Outcome:
        """The last update event (staged, activated, rolled back, rejected)."""
        return load_state(self.state_path).last_outcome

    def last_check(self) -> Outcome:
        """How the last poll of the repository went."""
        return load_state(self.state_path).last_check

    def heartbeat(self) -> dict[str, Any]:
        """Fields for the terminal's heartbeat."""
        state = load_state(self.state_path)
        return {
            "bundle_version": state.active,
            "bundle_staged": state.staged,
            "update_outcome": state.last_outcome.kind,
            "update_version": state.last_outcome.version,
            "update_reason": state.last_outcome.reason,
            "update_at": state.last_outcome.at,
            "update_check": state.last_check.kind,
            "update_check_reason": state.last_check.reason,
            "update_check_at": state.last_check.at,
            "update_summary": plain.summary(state),  # the same, in words (ADR 0731)
        }

    def status(self) -> dict[str, Any]:
        """Everything a technician wants to see."""
        state = load_state(self.state_path)
        return {
            "runs": plain.runs(state), "last_update": plain.outcome_words(state),
            "last_check_words": plain.check_words(state),
            "active": state.active, "staged": state.staged, "history": state.history,
            "highest_seen": state.highest_seen, "bad_versions": state.bad_versions,
            "refused": [r.to_dict() for r in state.refused],
            "last_outcome": state.last_outcome.to_dict(),
            "last_check": state.last_check.to_dict(),
            "slots": sorted(p.name for p in self.slots_dir.glob("v*")) if self.slots_dir.exists()
            else [],
            "repo_url": self.repo_url, "terminal_id": self.terminal_id,
            "groups": list(self.groups), "app_version": self.app_version,
        }

    # ----- what the kiosk calls ---------------------------------------------------------------

    def poll(self) -> Outcome:
        """Refresh, download and stage anything new, and activate it if no resident is in session.

        Returns the last update event (unchanged when there was nothing new). Never raises for
        network, repository or bundle problems: they become outcomes and log events; any other
        error becomes the check outcome ``error`` so the next poll runs.
        """
        with self._locked() as state:
            try:
                offer = self._refresh_and_choose(state)
                if offer is not None:
                    self._stage(state, offer)
                self._activate_staged(state)
            except Exception as exc:  # one bad poll must never end polling (docs/adr/0425)
                self._poll_failed(state, exc)
            return state.last_outcome

    def _poll_failed(self, state: UpdateState, exc: Exception) -> None:
        reason = f"poll failed: {_describe(exc)}"
        log_event(_log, "update_poll_failed", logging.ERROR, error=_describe(exc))
        try:
            self._check(state, CheckKind.ERROR, reason)
        except Exception as save_exc:  # the disk itself fails: the next poll tries again
            log_event(_log, "update_state_unsaved", logging.ERROR, error=_describe(save_exc))

    def refresh(self) -> Offer | None:
        """Refresh metadata only; return the offer that would be downloaded (technician tool)."""
        with self._locked() as state:
            return self._refresh_and_choose(state)

    def download(self) -> Outcome:
        """Refresh, download and stage, without activating."""
        with self._locked() as state:
            offer = self._refresh_and_choose(state)
            if offer is not None:
                self._stage(state, offer)
            return state.last_outcome

    def activate(self, wait: bool = False) -> Outcome:
        """Activate a staged bundle if no resident is in session (no network); call at attract.

        Does not wait (unless ``wait``): while a poll holds the updater (downloading), this
        returns the last outcome at once and the poll activates what it staged when it ends.
        A check interrupted by a power cut is always finished first, waiting if need be: the
        kiosk must not load a bundle whose check never ended."""
        must_wait = wait or load_state(self.state_path).checking is not None
        with self._locked(wait=must_wait) as state:
            if state is None:
                return self.last_outcome()
            try:
                self._activate_staged(state)
            except Exception as exc:
                self._poll_failed(state, exc)
            return state.last_outcome

    def run_polling(self, stop: threading.Event,
                    interval_seconds: float = POLL_INTERVAL_SECONDS,
                    after_poll: Callable[[Outcome], None] | None = None) -> None:
        """Poll until ``stop`` is set (run it in a worker thread). ``after_poll`` runs after
        each poll with its outcome (the kiosk reloads an idle screen's catalogue there)."""
        while not stop.is_set():
            try:
                outcome = self.poll()
                if after_poll is not None:
                    after_poll(outcome)
            except Exception as exc:  # poll() records its own errors; this is the last net
                log_event(_log, "update_poll_failed", logging.ERROR, error=_describe(exc))
            stop.wait(interval_seconds)

    # ----- steps ------------------------------------------------------------------------------

    @contextmanager
    def _locked(self, wait: bool = True) -> Iterator[Any]:
        """The state under the updater's locks (thread and file); None when ``wait`` is False
        and another poll holds them."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if not self._thread_lock.acquire(blocking=wait):
            yield None
            return
        try:
            with open(self.base_dir / "lock", "a+b") as lock_file:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                except BlockingIOError:
                    yield None
                    return
                try:
                    yield from self._with_state()
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _with_state(self) -> Iterator[UpdateState]:
        state = load_state(self.state_path)
        if state.checking is not None:
            # Power was lost between switching and the end of the check: finish it.
            self._check_active(state, state.checking, state.history[0]
                               if state.history else None)
        yield state

    def _save(self, state: UpdateState) -> None:
        save_state(self.state_path, state)

    def _record(self, state: UpdateState, kind: OutcomeKind, version: int | None,
                reason: str = "") -> None:
        state.last_outcome = Outcome(kind, version, reason, self._now())
        level = logging.WARNING if kind in (OutcomeKind.REJECTED,
                                            OutcomeKind.ROLLED_BACK) else logging.INFO
        log_event(_log, f"update_{kind}", level, version=version, reason=reason,
                  active=state.active)
        self._save(state)

    def _tuf(self) -> Updater:
        if not self.repo_url:
            raise _Unreachable("no repository URL configured")
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        try:
            return Updater(
                metadata_dir=str(self.metadata_dir),
                metadata_base_url=self.repo_url + "metadata/",
                target_dir=str(self.downloads_dir),
                target_base_url=self.repo_url + "targets/",
                fetcher=self._fetcher,
                config=UpdaterConfig(app_user_agent=f"kiosk/{__version__}"),
                bootstrap=self.trusted_root,
            )
        except tuf_errors.RepositoryError as exc:
            raise _Refusal(f"trusted root unusable: {_describe(exc)}") from None

    def _refresh_and_choose(self, state: UpdateState) -> Offer | None:
        self._offers_seen = []
        try:
            updater = self._tuf()
            updater.refresh()
            offer = self._choose(updater, state)
        except _Unreachable as exc:
            self._check(state, CheckKind.UNREACHABLE, str(exc))
            return None
        except (_Refusal, BundleError, tuf_errors.RepositoryError,
                tuf_errors.DownloadLengthMismatchError, DownloadDeadlineError) as exc:
            reason = str(exc) if isinstance(exc, _Refusal | BundleError) \
                else f"metadata: {_describe(exc)}"
            self._check(state, CheckKind.REJECTED, reason)
            self._record(state, OutcomeKind.REJECTED, None, reason)
            return None
        except (tuf_errors.DownloadError, urllib3.exceptions.HTTPError, OSError) as exc:
            self._check(state, CheckKind.UNREACHABLE, f"repository unreachable: {_describe(exc)}")
            return None
        self._updater = updater
        self._check(state, CheckKind.OK, self._offer_note(updater, offer, state))
        return offer

    def _offer_note(self, updater: Updater, offer: Offer | None, state: UpdateState) -> str:
        """The check outcome's words: what was offered, and why a newer offer is not taken."""
        newest = max(self._offers_seen, key=lambda o: o.version, default=None)
        note = f"offered {offer.version}" if offer else "no bundle"
        if newest is None or (offer is not None and newest.version == offer.version):
            return note
        remembered = self._remembered_refusal(updater, newest, state)
        if remembered is not None:
            return f"offered {newest.version}, refused before: {remembered.reason}" + (
                f"; taking {offer.version} instead" if offer else "")
        if newest.version in state.bad_versions:
            return f"offered {newest.version}, which failed its check here" + (
                f"; taking {offer.version} instead" if offer else "")
        return note

    def _remembered_refusal(self, updater: Updater, offer: Offer,
                            state: UpdateState) -> RefusedBundle | None:
        info = updater.get_targetinfo(offer.target_path)
        digest = _sha256_of(info)
        return state.is_refused(digest, self.app_version) if digest else None

    def _check(self, state: UpdateState, kind: CheckKind, reason: str) -> None:
        state.last_check = Outcome(kind, None, reason, self._now())
        if kind is not CheckKind.OK:
            log_event(_log, f"update_check_{kind}", logging.WARNING, reason=reason)
        self._save(state)

    def _choose(self, updater: Updater, state: UpdateState) -> Offer | None:
        offers: list[Offer] = []
        for path in [*channel_paths(self.terminal_id, self.groups),
                     *rollout_paths(self.terminal_id)]:  # staged rollout (ADR 0720)
            info = updater.get_targetinfo(path)
            if info is None:
                continue
            offers.append(_offer_from_channel(path, info))
        if not offers:
            return None
        best = max(offers, key=lambda o: o.version)
        self._offers_seen = offers  # every channel's offer, for the check outcome's words
        if self._is_bad(updater, best, state):
            # The newest offer failed here (check or unpack): fall back to the newest good one
            # another channel offers (a pilot bundle that failed must not strand a terminal on
            # the built-in catalogue while its fleet channel offers a good bundle).
            return self._fallback(updater, offers, state)
        if state.active is not None and best.version == state.active:
            return None
        if state.staged is not None and best.version == state.staged:
            return None
        floor = max(state.active or 0, state.highest_seen)
        if best.version < floor:
            raise _Refusal(f"channel {best.channel} offers version {best.version}, older than "
                           f"version {floor} already seen (rollback refused)")
        if not app_version_satisfies(self.app_version, best.min_app_version):
            raise _Refusal(f"bundle {best.version} needs app {best.min_app_version} or newer; "
                           f"this terminal runs {self.app_version}")
        return best

    def _is_bad(self, updater: Updater, offer: Offer, state: UpdateState) -> bool:
        """Whether ``offer`` failed its check here, or was refused at unpack by this app."""
        return (offer.version in state.bad_versions
                or self._remembered_refusal(updater, offer, state) is not None)

    def _fallback(self, updater: Updater, offers: list[Offer],
                  state: UpdateState) -> Offer | None:
        """The newest good offer newer than the active bundle, or None (keep what runs).

        Only signed channels are followed, so this never goes below the active bundle."""
        good = [o for o in offers if not self._is_bad(updater, o, state)
                and app_version_satisfies(self.app_version, o.min_app_version)
                and o.version > (state.active or 0) and o.version != state.staged]
        if not good:
            return None
        choice = max(good, key=lambda o: o.version)
        log_event(_log, "update_fallback", version=choice.version, channel=choice.channel,
                  active=state.active)
        return choice

    def _stage(self, state: UpdateState, offer: Offer) -> None:
        updater = self._updater
        assert updater is not None, "_stage runs right after a successful refresh"
        incoming = self.slots_dir / f".incoming-{offer.version}"
        archive = self.downloads_dir / f"flows-{offer.version}.tar.gz"
        archive_downloaded = False
        info: TargetFile | None = None
        try:
            info = updater.get_targetinfo(offer.target_path)
            if info is None:
                raise _Refusal(f"channel {offer.channel} names {offer.target_path}, which is not "
                               "a signed target")
            raw = info.custom.get("kiosk") if isinstance(info.custom, dict) else None
            custom: dict[str, Any] = raw if isinstance(raw, dict) else {}
            if custom.get("version") != offer.version:
                raise _Refusal(f"{offer.target_path}: signed version {custom.get('version')!r} "
                               f"differs from the channel's {offer.version}")
            self.downloads_dir.mkdir(parents=True, exist_ok=True)
            updater.download_target(info, str(archive))
            archive_downloaded = True
            remove_tree(incoming)
            manifest = unpack_archive(archive, incoming)
            if manifest.version != offer.version:
                raise _Refusal(f"archive manifest says version {manifest.version}, "
                               f"the signed target says {offer.version}")
            if not app_version_satisfies(self.app_version, manifest.min_app_version):
                raise _Refusal(f"bundle {offer.version} needs app {manifest.min_app_version} "
                               f"or newer; this terminal runs {self.app_version}")
            slot = self._slot(offer.version)
            remove_tree(slot)
            os.replace(incoming, slot)
        except (_Refusal, BundleError) as exc:
            remove_tree(incoming)
            reason = f"bundle: {exc}"
            digest = _sha256_of(info) if archive_downloaded else ""
            if digest:  # the signed content itself is bad: never fetch these bytes again
                state.remember_refused(RefusedBundle(digest, offer.version, self.app_version,
                                                     reason[:200]))
            self._record(state, OutcomeKind.REJECTED, offer.version, reason)
            return
        except (tuf_errors.RepositoryError, tuf_errors.DownloadLengthMismatchError,
                DownloadDeadlineError) as exc:
            remove_tree(incoming)
            self._record(state, OutcomeKind.REJECTED, offer.version,
                         f"download: {_describe(exc)}")
            return
        except (tuf_errors.DownloadError, urllib3.exceptions.HTTPError, OSError) as exc:
            remove_tree(incoming)
            self._check(state, CheckKind.UNREACHABLE, f"download failed: {_describe(exc)}")
            return
        finally:
            if archive.exists():
                archive.unlink()
        state.staged = offer.version
        state.highest_seen = max(state.highest_seen, offer.version)
        self._record(state, OutcomeKind.STAGED, offer.version,
                     "verified; waiting for no resident in session")

    def _activate_staged(self, state: UpdateState) -> None:
        version = state.staged
        if version is None:
            return
        if not self._slot(version).is_dir():
            state.staged = None
            self._record(state, OutcomeKind.REJECTED, version, "staged slot vanished")
            return
        try:
            idle = bool(self.is_idle())
        except Exception as exc:  # the hook belongs to the kiosk; never let it stop updates
            log_event(_log, "update_idle_hook_failed", logging.WARNING, error=_describe(exc))
            idle = False
        if not idle:
            return
        previous = state.active
        state.active, state.staged, state.checking = version, None, version
        if previous is not None:
            state.history = [previous, *[v for v in state.history if v != previous]]
        self._save(state)
        log_event(_log, "update_switched", version=version, previous=previous)
        self._check_active(state, version, previous)

    def _check_active(self, state: UpdateState, version: int, previous: int | None) -> None:
        problems = self._run_check(self._slot(version))
        state.checking = None
        if problems:
            state.active = state.history.pop(0) if state.history else None
            if version not in state.bad_versions:
                state.bad_versions.append(version)
            reason = f"check failed, back to {state.active}: " + "; ".join(problems[:5])
            self._record(state, OutcomeKind.ROLLED_BACK, version, reason)
        else:
            self._record(state, OutcomeKind.ACTIVATED, version, f"previous {previous}")
        self._prune(state)

    def _run_check(self, slot: Path) -> list[str]:
        try:
            problems = list(self.check_bundle(slot))
        except Exception as exc:  # a plug-in check that crashes is a failed check
            return [f"check crashed: {_describe(exc)}"]
        return [str(p) for p in problems]

    def _prune(self, state: UpdateState) -> None:
        keep_versions = [v for v in [state.active, *state.history] if v is not None]
        keep_versions = keep_versions[: self.keep_slots]
        state.history = [v for v in state.history if v in keep_versions]
        keep = {f"v{v}" for v in keep_versions}
        if state.staged is not None:
            keep.add(f"v{state.staged}")
        self._save(state)
        for slot in self.slots_dir.glob("v*"):
            if slot.name not in keep:
                remove_tree(slot)
                log_event(_log, "update_slot_removed", slot=slot.name)

    def _slot(self, version: int) -> Path:
        return self.slots_dir / f"v{version}"


def _offer_from_channel(path: str, info: TargetFile) -> Offer:
    custom: dict[str, Any] = info.custom if isinstance(info.custom, dict) else {}
    raw = custom.get("kiosk")
    pointer: dict[str, Any] = raw if isinstance(raw, dict) else {}
    version = pointer.get("version")
    min_app = pointer.get("min_app_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1 \
            or not isinstance(min_app, str):
        raise _Refusal(f"channel {path}: signed data has no valid version/min_app_version")
    if pointer.get("bundle") != bundle_target_path(version):
        raise _Refusal(f"channel {path}: bundle path {pointer.get('bundle')!r} does not match "
                       f"version {version}")
    return Offer(version, bundle_target_path(version), min_app, path)


def _sha256_of(info: TargetFile | None) -> str:
    """The signed sha256 of a target ("" when none)."""
    hashes = info.hashes if info is not None and isinstance(info.hashes, dict) else {}
    digest = hashes.get("sha256")
    return digest if isinstance(digest, str) else ""


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__
