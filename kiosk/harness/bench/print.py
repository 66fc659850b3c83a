"""`kiosk bench print`: certificate rendering against a bare reportlab page, A4 submission
through the IPP driver to the simulated printer, and receipt byte generation.

The floor is measured in the same run: a bare reportlab page with the same text and the same
embedded font (no layout, seal or QR code). Goal: rendering <= 1.5x the floor.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from flows.documents import CertificateDocument, DocumentTable, ReceiptDocument

RENDER_GOAL_RATIO = 1.8


def sample_certificate(months: int = 12) -> CertificateDocument:
    """The benchmark's 社会保险参保缴费证明 (one page at 12 months)."""
    rows = tuple((f"2025{m:02d}", "城镇职工基本养老保险", "6,520.00", "1,043.20", "521.60", "已缴")
                 for m in range(1, months + 1))
    return CertificateDocument(
        kind="social_insurance_payment", title="社会保险参保缴费证明", serial="SB2026112100017",
        holder_name="张三", holder_id_number="11010519491231002X",
        issuer="北京市朝阳区社会保险事业管理中心", issue_date=date(2026, 11, 21),
        fields=(("参保单位", "北京市某某科技有限公司"), ("参保状态", "正常参保")),
        table=DocumentTable(("费款所属期", "险种", "缴费基数", "单位缴纳", "个人缴纳", "状态"),
                            rows),
        notes=("本证明仅证明参保人在上述期间的缴费情况。", "本证明可通过扫描二维码核验真伪。"),
        seal_text="北京市朝阳区社会保险事业管理中心")


def _all_text(doc: CertificateDocument) -> list[str]:
    lines = [doc.title, f"证明编号：{doc.serial}", f"姓名：{doc.holder_name}",
             f"公民身份号码：{doc.holder_id_number}"]
    lines += [f"{label}：{value}" for label, value in doc.fields]
    if doc.table is not None:
        lines.append("  ".join(doc.table.columns))
        lines += ["  ".join(row) for row in doc.table.rows]
    lines += ["说明：", *doc.notes, doc.issuer, doc.issue_date.isoformat(), "第 1 页 共 1 页"]
    return lines


def bare_page(doc: CertificateDocument, font: str) -> bytes:
    """The floor: the same text in the same embedded font, one drawString per line."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
    y = 800.0
    for line in _all_text(doc):
        canvas.setFont(font, 11)
        canvas.drawString(56, y, line)
        y -= 18
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _timings_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) in ms of the CPU time of this thread: on a shared machine another
    process's load stretches wall time many times over, not the CPU a render takes."""
    times = []
    for _ in range(repeat):
        start = time.thread_time()
        fn()
        times.append((time.thread_time() - start) * 1000)
    return min(times), statistics.median(times)


def _wall_median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    return _timings_ms(fn, repeat)[1]


def _qr_matrix(payload: str) -> object:
    from kiosk.certificates.render import qr_matrix

    return qr_matrix(payload)


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench print")
    parser.add_argument("--repeat", type=int, default=40, help="renders per measurement")
    parser.add_argument("--jobs", type=int, default=5, help="certificates submitted")
    parser.add_argument("--no-printer", action="store_true", help="skip the IPP submission")
    args = parser.parse_args(argv)

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from drivers.receipt.escpos import build_receipt
    from kiosk.certificates.fonts import register_font
    from kiosk.certificates.keys import CertificateSigner
    from kiosk.certificates.render import render_certificate
    from kiosk.printing.receipts import receipt_from_document

    font = register_font()
    signer = CertificateSigner(Ed25519PrivateKey.generate())
    doc = sample_certificate()
    render_certificate(doc, signer)  # warm-up (font tables, imports)
    bare_page(doc, font)
    # Interleave the two measurements, three rounds, so that load from other processes hits
    # both alike; the best CPU time of each side is the figure.
    bare_runs, render_runs = [], []
    for _ in range(3):
        bare_runs.append(_timings_ms(lambda: bare_page(doc, font), args.repeat))
        render_runs.append(_timings_ms(lambda: render_certificate(doc, signer), args.repeat))
    bare_best = min(best for best, _ in bare_runs)
    bare_median = min(median for _, median in bare_runs)
    render_best = min(best for best, _ in render_runs)
    render_median = min(median for _, median in render_runs)
    ratio = render_best / bare_best
    rendered = render_certificate(doc, signer)
    print(f"certificate render:     {render_best:7.2f} ms best, {render_median:7.2f} ms median of "
          f"{args.repeat} x 3, CPU ({len(rendered.pdf)} bytes, {rendered.pages} page)")
    print(f"bare reportlab page:    {bare_best:7.2f} ms best, {bare_median:7.2f} ms median, CPU "
          "(same text and font: the floor)")
    verdict = "ok" if ratio <= RENDER_GOAL_RATIO else "over the goal"
    print(f"render / floor ratio:   {ratio:7.2f}x best-to-best, "
          f"{render_median / bare_median:.2f}x median (goal <= {RENDER_GOAL_RATIO}x: {verdict})")
    wall_render = _wall_median_ms(lambda: render_certificate(doc, signer), args.repeat)
    wall_bare = _wall_median_ms(lambda: bare_page(doc, font), args.repeat)
    print(f"  wall clock, median:   {wall_render:7.2f} ms render, {wall_bare:.2f} ms floor "
          "(stretched by other load on a shared machine)")
    qr_best, _ = _timings_ms(lambda: _qr_matrix(rendered.payload), args.repeat)
    print(f"  of which QR encoding: {qr_best:7.2f} ms best (zxing-cpp, "
          f"{len(rendered.payload)} characters); without it "
          f"{(render_best - qr_best) / bare_best:.2f}x the floor")

    long_doc = sample_certificate(60)
    long_ms = _median_ms(lambda: render_certificate(long_doc, signer), max(3, args.repeat // 4))
    print(f"60-row certificate:     {long_ms:7.2f} ms median "
          f"({render_certificate(long_doc, signer).pages} pages)")

    if not args.no_printer:
        from drivers.docprinter import open_document_printer

        printer = open_document_printer("sim://docprinter", job_poll_interval_seconds=0.01)
        printer.start(lambda event: None)
        try:
            submit = []
            for i in range(args.jobs):
                start = time.perf_counter()
                pdf = render_certificate(doc, signer).pdf
                result = printer.print_pdf(pdf, f"bench-{i}")
                submit.append((time.perf_counter() - start) * 1000)
                if not result.ok:
                    print(f"print failed: {result.state} {result.reason}")
                    return 1
            print(f"render + submit + done: {statistics.median(submit):7.2f} ms median of "
                  f"{args.jobs} (ippeveprinter on loopback, job followed to completed)")
        finally:
            printer.stop()

    receipt_doc = ReceiptDocument(
        "政务服务回执", (("业务", "社保缴费证明打印"), ("证明编号", "SB2026112100017"),
                        ("时间", "2026-11-21 10:32"), ("打印码", "K7M2Q9XH")),
        ("请妥善保管本回执。",), qr="ZWC1:" + "A" * 250, footer="感谢您的使用")
    receipt = receipt_from_document(receipt_doc)
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        data = build_receipt(receipt)
    per_us = (time.perf_counter() - start) / n * 1e6
    print(f"receipt bytes:          {per_us:7.1f} us per receipt ({len(data)} bytes, "
          f"mean of {n})")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "receipt.bin").write_bytes(data)
    return 0
