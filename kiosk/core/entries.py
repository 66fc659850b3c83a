"""A tile on the home screen: one item of the catalogue as the controller offers it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """A tile on the home screen."""

    service_id: str
    title: str
    category: str  # 查询 / 办理 / 打印
    summary: str = ""
    devices: tuple[str, ...] = ()
    needs_identity: bool = True
    available: bool = True
    reason: str = ""  # why it is greyed out
    themes: tuple[str, ...] = ()  # where residents browse for it (生育, 就业, ...)
    department: str = ""  # the department responsible
    featured: bool = False  # one of the terminal's own services (常用 before any counts)
    uses: int = 0  # completions at this terminal (ranks 常用 and search)
    audience: str = "person"  # person (个人办事) | enterprise (法人办事)
