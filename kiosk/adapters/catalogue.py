"""The kiosk's view of the flow catalogue: tiles for the home screen, search, and starting a
run of a service with ports bound to the current session.

A new bundle replaces the catalogue between sessions only; a service whose new definition is
refused keeps its previous version (flows.services.Catalogue.load(previous=...)).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.engine import FlowRun
from flows.services import Catalogue
from kiosk.controller import ServiceEntry

UNAVAILABLE_REASON = "该服务暂停办理"
#: Display order of the home screen's categories.
CATEGORY_ORDER = {"查询": 0, "办理": 1, "打印": 2}


class KioskCatalogue:
    """Implements kiosk.controller.CatalogueLike over `flows.services.Catalogue`."""

    def __init__(self, catalogue: Catalogue, ports_for: Callable[[Any], Any],
                 locale: Callable[[], str] = lambda: "zh-CN") -> None:
        self._catalogue = catalogue
        self._ports_for = ports_for
        self._locale = locale
        self._max_page_size: Callable[[], int] = lambda: 0
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path, ports_for: Callable[[Any], Any]) -> KioskCatalogue:
        """Load every service under ``folder`` (a bad one is marked unavailable, not fatal)."""
        return cls(Catalogue.load(folder, check_fixtures=False), ports_for)

    def reload(self, folder: Path) -> None:
        """Switch to the services under ``folder`` (a new bundle), keeping good old versions."""
        with self._lock:
            self._catalogue = Catalogue.load(folder, previous=self._catalogue,
                                             check_fixtures=False)

    def set_locale(self, locale: Callable[[], str],
                   max_page_size: Callable[[], int] = lambda: 0) -> None:
        """Where the current language (and the records page size cap) come from."""
        self._locale = locale
        self._max_page_size = max_page_size

    def entries(self) -> list[ServiceEntry]:
        """Every service: available ones by category, refused ones greyed out."""
        locale = self._locale()
        result = []
        with self._lock:
            services = list(self._catalogue.entries.values())
        for service in services:
            definition = service.definition
            if definition is None:
                result.append(ServiceEntry(service.id, service.title(locale), "办理",
                                           available=False, reason=UNAVAILABLE_REASON))
                continue
            result.append(ServiceEntry(
                service_id=service.id, title=service.title(locale),
                category=definition.category,
                summary=definition.text(definition.summary, locale),
                devices=tuple(definition.devices),
                needs_identity=definition.identity_required))
        result.sort(key=lambda e: (CATEGORY_ORDER.get(e.category, 9), not e.available))
        return result

    def search(self, query: str) -> list[str]:
        """Service ids matching ``query`` (Chinese, full pinyin or initials)."""
        with self._lock:
            return [s.id for s in self._catalogue.search(query)]

    def start(self, service_id: str, session_context: dict[str, Any]) -> FlowRun:
        """A new run of the service with ports bound to the session."""
        with self._lock:
            entry = self._catalogue.get(service_id)
        if entry is None or entry.definition is None:
            raise LookupError(f"service {service_id} is not available")
        ports = self._ports_for(session_context["session"])
        return FlowRun(entry.definition, ports, self._locale(),
                       max_page_size=self._max_page_size())
