"""What the home screen lists: 常用 (the most completed here), browsing by theme or by
department with counts, the 查询 / 办理 / 打印 categories, and search hits (pure; no Kivy).

`select` takes the controller's entries (availability already applied) and returns the tiles
and, on a browse tab without a chosen group, the groups with their counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kiosk.core.entries import ServiceEntry
from kiosk.i18n import N_

ALL_CATEGORY = N_("全部")
FREQUENT = N_("常用")
BY_THEME = N_("按主题")
BY_DEPARTMENT = N_("按部门")
#: The categories of the flow definitions (a tile's ``category``).
TILE_CATEGORIES = (N_("查询"), N_("办理"), N_("打印"))
#: The home screen's tabs, in order; 常用 is the first page a resident sees.
CATEGORIES = (FREQUENT, BY_THEME, BY_DEPARTMENT, ALL_CATEGORY, *TILE_CATEGORIES)
BROWSE_TABS = (BY_THEME, BY_DEPARTMENT)
#: Theme names residents see (data in themes.yaml; listed here so they are translated).
THEME_LABELS = (N_("生育"), N_("就业"), N_("养老"), N_("医保"), N_("住房"), N_("婚姻"), N_("户籍"),
                N_("企业经营"), N_("教育"), N_("交通出行"), N_("医疗卫生"), N_("社会救助"),
                N_("退役军人"), N_("残疾人"), N_("文化旅游"), N_("农业农村"), N_("综合服务"))


@dataclass(frozen=True, slots=True)
class Group:
    """A theme or department with how many items it lists."""

    name: str
    count: int


def frequent(entries: Sequence[ServiceEntry]) -> list[ServiceEntry]:
    """常用: the items completed here, most first, then the terminal's own services."""
    used = sorted((e for e in entries if e.uses > 0), key=lambda e: -e.uses)
    return used + [e for e in entries if e.featured and e.uses == 0]


def groups(entries: Iterable[ServiceEntry], tab: str,
           theme_order: Sequence[str] = ()) -> tuple[Group, ...]:
    """The themes (in ``theme_order``, others after) or departments (most items first)."""
    counts: dict[str, int] = {}
    for entry in entries:
        names = entry.themes if tab == BY_THEME else (entry.department,) if entry.department \
            else ()
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    if tab == BY_THEME:
        order = [t for t in theme_order if t in counts]
        order += sorted(set(counts) - set(order))
    else:
        order = sorted(counts, key=lambda n: (-counts[n], n))
    return tuple(Group(name, counts[name]) for name in order)


def in_group(entries: Iterable[ServiceEntry], tab: str, group: str) -> list[ServiceEntry]:
    """The items of one theme or department."""
    if tab == BY_THEME:
        return [e for e in entries if group in e.themes]
    return [e for e in entries if e.department == group]


def select(entries: Sequence[ServiceEntry], category: str, group: str, query: str,
           search: Callable[[str], list[str]], theme_order: Sequence[str] = (),
           ) -> tuple[list[ServiceEntry], tuple[Group, ...]]:
    """The tiles to list and the groups to offer for this tab, group and search text."""
    if query.strip():
        order = {sid: i for i, sid in enumerate(search(query))}
        hits = sorted((e for e in entries if e.service_id in order),
                      key=lambda e: order[e.service_id])
        if category in TILE_CATEGORIES:
            hits = [e for e in hits if e.category == category]
        return hits, ()
    if category == FREQUENT:
        return frequent(entries), ()
    if category in BROWSE_TABS:
        if not group:
            return [], groups(entries, category, theme_order)
        return in_group(entries, category, group), ()
    if category in TILE_CATEGORIES:
        return [e for e in entries if e.category == category], ()
    return list(entries), ()
