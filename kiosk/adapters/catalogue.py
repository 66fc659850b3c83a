"""The kiosk's view of the flow catalogue: tiles for the home screen, search, and starting a
run of a service with ports bound to the current session.

A new bundle replaces the catalogue between sessions only; a service whose new definition is
refused keeps its previous version (flows.services.Catalogue.load(previous=...)).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.ports import SessionPorts
from kiosk.adapters.usage_counts import UsageCounts
from kiosk.core.controller import TILE_CATEGORIES, ServiceEntry
from kiosk.core.session import SessionData
from kiosk.i18n import N_, translate

if TYPE_CHECKING:
    from flows.engine import FlowRun
    from flows.services import Catalogue

UNAVAILABLE_REASON = N_("该服务暂停办理")
#: Display order of the home screen's categories (查询, 办理, 打印: keys of the flow definitions).
CATEGORY_ORDER = {name: index for index, name in enumerate(TILE_CATEGORIES)}
#: Search hits shown at most (the home screen pages through them).
SEARCH_LIMIT = 60
#: Where a service whose definition was refused is listed.
REFUSED_CATEGORY = N_("办理")
#: Binds the flows' ports to one resident session (the composition root's `ports_for`).
PortsFor = Callable[[SessionData], SessionPorts]


class KioskCatalogue:
    """Implements kiosk.core.controller.CatalogueLike over `flows.services.Catalogue`."""

    def __init__(self, catalogue: Catalogue | None, ports_for: PortsFor,
                 locale: Callable[[], str] = lambda: "zh-CN", folder: Path | None = None) -> None:
        self._loaded = catalogue
        self._folder = folder
        self._load_lock = threading.Lock()
        self._ports_for = ports_for
        self._locale = locale
        self._max_page_size: Callable[[], int] = lambda: 0
        self._lock = threading.Lock()
        self.usage = UsageCounts()
        self._cached: tuple[str, Catalogue, list[ServiceEntry]] | None = None
        self._pinyin_cache: Path | None = None

    def use_pinyin_cache(self, cache_dir: Path) -> None:
        """Read the search's pinyin from keys kept in ``cache_dir`` (kiosk.adapters.pinyin_cache)
        instead of loading pypinyin in this process."""
        self._pinyin_cache = cache_dir

    def prepare_search(self) -> None:
        """Get the pinyin keys and build the search indexes (off the UI thread: after the first
        frame and after a bundle switch)."""
        with self._lock:
            catalogue = self._catalogue
        if self._pinyin_cache is not None:
            from kiosk.adapters.pinyin_cache import ensure_keys

            ensure_keys(catalogue, self._pinyin_cache)
        catalogue.search("")

    def use_counts_file(self, path: Path) -> None:
        """Keep the completion counts (item id -> number) in ``path`` across restarts."""
        self.usage = UsageCounts(path)

    @classmethod
    def load(cls, folder: Path, ports_for: PortsFor) -> KioskCatalogue:
        """Load every service under ``folder`` (a bad one is marked unavailable, not fatal)."""
        from flows.services import Catalogue

        return cls(Catalogue.load(folder, check_fixtures=False), ports_for)

    @classmethod
    def deferred(cls, folder: Path, ports_for: PortsFor) -> KioskCatalogue:
        """The services under ``folder``, loaded at first use (`prepare_search` after the
        first frame, or whoever asks first): the attract frame does not wait for them."""
        return cls(None, ports_for, folder=folder)

    @property
    def _catalogue(self) -> Catalogue:
        """The loaded catalogue (loading it now when nobody has yet)."""
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._load_lock:  # the first asker loads; the others wait for it
            if self._loaded is None:
                from flows.services import Catalogue

                assert self._folder is not None
                self._loaded = Catalogue.load(self._folder, check_fixtures=False)
            return self._loaded

    @property
    def loaded(self) -> bool:
        """True once the services have been read."""
        return self._loaded is not None

    def reload(self, folder: Path) -> None:
        """Switch to the services under ``folder`` (a new bundle), keeping good old versions."""
        from flows.services import Catalogue

        previous = self._catalogue
        with self._lock:
            self._loaded = Catalogue.load(folder, previous=previous, check_fixtures=False)
        if self._pinyin_cache is not None:  # the new bundle's keys, off the UI thread
            threading.Thread(target=self.prepare_search, name="kiosk-search-index",
                             daemon=True).start()

    def set_locale(self, locale: Callable[[], str],
                   max_page_size: Callable[[], int] = lambda: 0) -> None:
        """Where the current language (and the records page size cap) come from."""
        self._locale = locale
        self._max_page_size = max_page_size

    def entries(self) -> list[ServiceEntry]:
        """Every service: available ones by category (hand-written services before licence
        items), refused ones greyed out; with this terminal's completion counts."""
        locale = self._locale()
        with self._lock:
            catalogue = self._catalogue
            cached = self._cached
        if cached is None or cached[0] != locale or cached[1] is not catalogue:
            cached = (locale, catalogue, self._build(catalogue, locale))
            with self._lock:
                self._cached = cached
        counts = self.usage.snapshot()
        return [replace(e, uses=counts.get(e.service_id, 0)) if e.service_id in counts else e
                for e in cached[2]]

    def theme_order(self) -> tuple[str, ...]:
        """The themes to browse by, in display order."""
        with self._lock:
            return tuple(self._catalogue.finding.themes)

    def completed(self, service_id: str) -> None:
        """A resident completed ``service_id`` here (counted, nothing else kept)."""
        self.usage.completed(service_id)

    def _build(self, catalogue: Catalogue, locale: str) -> list[ServiceEntry]:
        result = []
        for service in catalogue.entries.values():
            definition = service.definition
            if definition is None:
                result.append(ServiceEntry(service.id, service.title(locale), REFUSED_CATEGORY,
                                           available=False,
                                           reason=translate(UNAVAILABLE_REASON, locale)))
                continue
            result.append(ServiceEntry(
                service_id=service.id, title=service.title(locale),
                category=definition.category,
                summary=definition.text(definition.summary, locale),
                devices=tuple(definition.devices),
                needs_identity=definition.identity_required,
                themes=service.themes, department=service.department,
                featured=service.folder != catalogue.root, audience=service.audience))
        result.sort(key=lambda e: (CATEGORY_ORDER.get(e.category, 9), not e.featured,
                                   not e.available))
        return result

    def search(self, query: str) -> list[str]:
        """Service ids matching ``query`` (Chinese, pinyin, initials, synonyms, near misses),
        the most completed here first among equal matches."""
        with self._lock:
            catalogue = self._catalogue
        return [s.id for s in catalogue.search(query, SEARCH_LIMIT, self.usage.snapshot())]

    def start(self, service_id: str, session_context: dict[str, Any]) -> FlowRun:
        """A new run of the service with ports bound to the session."""
        with self._lock:
            entry = self._catalogue.get(service_id)
        if entry is None or entry.definition is None:
            raise LookupError(f"service {service_id} is not available")
        ports = self._ports_for(session_context["session"])
        from flows.engine import FlowRun

        return FlowRun(entry.definition, ports, self._locale(),
                       max_page_size=self._max_page_size())
