"""Service and step titles for the 统计 pages: terminals report ids only, the console shows
titles from the catalogue it knows (the built-in catalogue; a service or step it does not know
is shown by its id, marked as such)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flows.services import Catalogue

#: A step without its own title is named by its type.
STEP_TYPE_TITLES = {
    "identify": "身份核验", "records": "查询结果", "print_certificate": "打印证明",
    "print_receipt": "打印凭条", "form": "填写信息", "choose": "选择事项", "capture": "拍摄材料",
    "check": "核对信息", "submit": "提交申请", "result": "办理结果", "rate": "好差评",
    "guide": "办事指南", "message": "提示", "licence": "电子证照", "licence_copy": "证照复印件",
    "report": "办不成事反映"}
#: The pages every service has (flows.page): the same title in every service.
BUILTIN_PAGE_TITLES = {"_guide": "办事指南", "_report": "办不成事反映",
                       "_report_sent": "办不成事已反映", "_rate": "好差评", "_done": "结束",
                       "_unavailable": "业务暂不可用"}


@dataclass(frozen=True, slots=True)
class Titles:
    """Service id -> title and (service, step id) -> step title, in Chinese."""

    services: dict[str, str]
    steps: dict[tuple[str, str], str]

    def service(self, service_id: str) -> str:
        """The service's title, else its id."""
        if not service_id:
            return "（未进入业务）"
        return self.services.get(service_id, service_id)

    def step(self, service_id: str, step_id: str) -> str:
        """The step's title, else its id."""
        if not step_id:
            return "—"
        return (self.steps.get((service_id, step_id)) or BUILTIN_PAGE_TITLES.get(step_id)
                or STEP_TYPE_TITLES.get(step_id, step_id))


@cache
def builtin_titles() -> Titles:
    """The built-in catalogue's titles (loaded once; fixtures not checked)."""
    services: dict[str, str] = {}
    steps: dict[tuple[str, str], str] = {}
    for sid, entry in Catalogue.load(check_fixtures=False).entries.items():
        definition = entry.definition
        if definition is None:
            if entry.fallback_title:
                services[sid] = entry.fallback_title.get("zh-CN", sid)
            continue
        services[sid] = definition.text(definition.title, "zh-CN") or sid
        for step_id, step in definition.steps.items():
            title = definition.text(step.title, "zh-CN") if step.title else ""
            steps[(sid, step_id)] = title or STEP_TYPE_TITLES.get(step.type, step_id)
    return Titles(services, steps)
