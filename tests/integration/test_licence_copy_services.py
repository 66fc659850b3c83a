"""电子证照打印 end to end in the sandbox: a directory kind no flow was written for, run through
the kiosk's catalogue (the generic licence flow), copied by the platform with the usage line
and printed by the simulated IPP printer with the watermark, the department and the serial; a
kind the department releases only at its window is refused in words and nothing prints."""

from __future__ import annotations

from flows.views import StepKind
from kiosk.sandbox import licence_kinds
from kiosk.sandbox.records import business_credit_code
from kiosk.sandbox.seed import RESIDENTS, by_key
from tests.integration.conftest import Terminal, assert_rated


def _flat(text: str) -> str:
    return "".join(text.split())


def test_licence_copy_of_a_marriage_certificate_prints_with_the_usage_watermark(
        terminal: Terminal) -> None:
    s = terminal.run("licence-mzj-marriage", "worker", {"purpose": "租房"})
    assert s.done
    [serial] = s.run.record.serials
    [pdf] = s.certificates
    text = _flat(pdf)
    assert "结婚证（打印件）" in text and serial in text
    assert "此件仅供办理政务服务事项时使用" in text and "用途：租房" in text
    assert "演示区民政局" in text
    assert_rated(terminal, s)


def test_licence_copy_of_the_business_licence_for_the_legal_representative(
        terminal: Terminal) -> None:
    s = terminal.run("licence-scj-business", "business_owner", {"purpose": "工商登记"})
    assert s.done
    text = _flat(s.certificates[0])
    assert business_credit_code(by_key("business_owner")) in text
    assert "演示区市场监督管理局" in text


def test_licence_copy_of_a_kind_kept_for_the_window_is_refused_in_words(
        terminal: Terminal) -> None:
    kept = {k.code for k in licence_kinds.directory() if not k.released}
    key, code = next((r.key, k.code) for r in RESIDENTS for k in licence_kinds.directory()
                     if k.code in kept and licence_kinds.holds(r, k))
    s = terminal.run(f"licence-{code}", key)
    assert s.done
    refused = [v for v in s.of_kind(StepKind.LICENCE_COPY) if v.outcome == "refused"]
    assert refused and "窗口" in refused[0].error
    assert s.certificates == []
