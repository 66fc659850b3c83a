"""Filling print documents from a flow's templates and the data bound during a run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flows.definition import CertificateTemplate, FlowDefinition, ReceiptTemplate
from flows.documents import CertificateDocument, ReceiptDocument
from flows.ports import IssuedCertificate, Resident
from flows.strings import GUIDE_KEYS, say


def fill_receipt(
    definition: FlowDefinition,
    template: ReceiptTemplate,
    names: Mapping[str, Any],
    locale: str,
    on: date | None = None,
    rows: tuple[tuple[str, ...], ...] = (),
) -> ReceiptDocument:
    """A `ReceiptDocument` from ``template``; raises ExpressionError when a value fails."""
    lines: list[tuple[str, str]] = []
    for line in template.lines:
        if line.when is not None and not line.when.evaluate(names, on):
            continue
        lines.append((definition.text(line.label, locale), line.value.render(names, on)))
    for row in rows[: template.table_rows]:
        if row:
            lines.append((row[0], " ".join(row[1:])))
    notes = [definition.text(n, locale) for n in template.notes]
    if names.get("outcome") == "queued":  # kept in the outbox: the receipt says it will be sent
        notes.insert(0, say("receipt.queued", locale))
    return ReceiptDocument(
        title=definition.text(template.title, locale),
        lines=tuple(lines),
        notes=tuple(notes),
        qr=template.qr.render(names, on) if template.qr else "",
        footer=definition.text(template.footer, locale),
    )


def fill_certificate(
    definition: FlowDefinition,
    template: CertificateTemplate,
    issued: IssuedCertificate,
    resident: Resident | None,
    names: Mapping[str, Any],
    locale: str,
    on: date | None = None,
) -> CertificateDocument:
    """A `CertificateDocument` from the platform's content plus the template's extra lines."""
    extra: list[tuple[str, str]] = []
    for line in template.fields:
        if line.when is not None and not line.when.evaluate(names, on):
            continue
        extra.append((definition.text(line.label, locale), line.value.render(names, on)))
    holder = {("姓名", resident.name), ("公民身份号码", resident.id_number)} if resident else set()
    platform_fields = tuple(f for f in issued.fields if tuple(f) not in holder)  # printed once
    return CertificateDocument(
        kind=issued.kind,
        title=definition.text(template.title, locale) or issued.title,
        serial=issued.serial,
        holder_name=resident.name if resident else "",
        holder_id_number=resident.id_number if resident else "",
        issuer=issued.issuer,
        issue_date=issued.issue_date,
        fields=platform_fields + tuple(extra),
        table=issued.table,
        notes=tuple(issued.notes) + tuple(definition.text(n, locale) for n in template.notes),
        seal_text=issued.issuer,
    )


def guide_receipt(definition: FlowDefinition, locale: str) -> ReceiptDocument:
    """The service guide (办事指南) as a receipt the resident can take away."""
    lines = tuple(
        (say(f"guide.{key}", locale), definition.text(definition.guide[key], locale))
        for key in GUIDE_KEYS
        if key in definition.guide
    )
    return ReceiptDocument(
        title=f"{definition.text(definition.title, locale)} · {say('guide', locale)}",
        lines=lines,
    )
