"""The kiosk's view of the flow catalogue: tiles for the home screen, search, and starting a
run of a service with ports bound to the current session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flows.engine import FlowRun
from kiosk.controller import ServiceEntry

CATEGORY_NAMES = {"query": "查询", "apply": "办理", "print": "打印",
                  "查询": "查询", "办理": "办理", "打印": "打印"}


class KioskCatalogue:
    """Implements kiosk.controller.CatalogueLike over `flows.catalogue`."""

    def __init__(self, catalogue: Any, ports_for: Callable[[Any], Any],
                 locale: Callable[[], str] = lambda: "zh-CN") -> None:
        self._catalogue = catalogue
        self._ports_for = ports_for
        self._locale = locale

    @classmethod
    def load(cls, folder: Path, ports_for: Callable[[Any], Any]) -> KioskCatalogue:
        """Load every service under ``folder`` (a bad one is marked unavailable, not fatal)."""
        from flows.catalogue import load_catalogue

        return cls(load_catalogue(folder), ports_for)

    def replace(self, catalogue: Any) -> None:
        """Switch to another catalogue (a new flow bundle), between sessions only."""
        self._catalogue = catalogue

    def entries(self) -> list[ServiceEntry]:
        """Every service, in display order."""
        locale = self._locale()
        result = []
        for service in self._catalogue.services():
            definition = service.definition
            if definition is None:
                result.append(ServiceEntry(service.id, service.title(locale) or service.id,
                                           "办理", available=False, reason="暂停服务"))
                continue
            result.append(ServiceEntry(
                service_id=definition.id, title=definition.text(definition.title, locale),
                category=CATEGORY_NAMES.get(str(definition.category), "办理"),
                devices=tuple(definition.devices),
                needs_identity=definition.needs_identity))
        return result

    def search(self, query: str) -> list[str]:
        """Service ids matching ``query`` (Chinese, full pinyin or initials)."""
        return [s.id for s in self._catalogue.search(query)]

    def start(self, service_id: str, session_context: dict[str, Any]) -> FlowRun:
        """A new run of the service with ports bound to the session."""
        definition = self._catalogue.get(service_id)
        ports = self._ports_for(session_context["session"])
        return FlowRun(definition, ports, self._locale())
