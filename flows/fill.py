"""Filling print documents from a flow's templates and the data bound during a run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flows.definition import CertificateTemplate, FlowDefinition, ReceiptTemplate
from flows.documents import CertificateAdditions, CertificateDocument, ReceiptDocument
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


def certificate_additions(
    definition: FlowDefinition,
    template: CertificateTemplate,
    names: Mapping[str, Any],
    locale: str,
    on: date | None = None,
) -> CertificateAdditions:
    """What ``template`` adds to the platform's content; raises ExpressionError when a value
    fails. Computed before the certificate is issued and sent with it (the platform keeps it)."""
    extra: list[tuple[str, str]] = []
    for line in template.fields:
        if line.when is not None and not line.when.evaluate(names, on):
            continue
        extra.append((definition.text(line.label, locale), line.value.render(names, on)))
    return CertificateAdditions(
        title=definition.text(template.title, locale),
        fields=tuple(extra),
        notes=tuple(definition.text(n, locale) for n in template.notes),
    )


def compose_certificate(issued: IssuedCertificate, additions: CertificateAdditions,
                        resident: Resident | None) -> CertificateDocument:
    """The document for ``issued`` plus ``additions``: a pure function, so the same platform
    content, additions and holder always give the same document (and digest)."""
    holder = {("姓名", resident.name), ("公民身份号码", resident.id_number)} if resident else set()
    platform_fields = tuple(f for f in issued.fields if tuple(f) not in holder)  # printed once
    return CertificateDocument(
        kind=issued.kind,
        title=additions.title or issued.title,
        serial=issued.serial,
        holder_name=resident.name if resident else "",
        holder_id_number=resident.id_number if resident else "",
        issuer=issued.issuer,
        issue_date=issued.issue_date,
        fields=platform_fields + tuple(additions.fields),
        table=issued.table,
        notes=tuple(issued.notes) + tuple(additions.notes),
        seal_text=issued.issuer,
        usage=issued.usage,
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
    return compose_certificate(
        issued, certificate_additions(definition, template, names, locale, on), resident)


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
