"""Catalogue upkeep with Babel: extract marked strings, update the .po files, compile the .mo
files and check that every language is complete.

``python -m kiosk.i18n extract``  add every ``_()``/``N_()``/``translate()`` string in kiosk/ to
                                  kiosk.pot and to each language's .po (untranslated)
``python -m kiosk.i18n compile``  write kiosk.mo next to each kiosk.po
``python -m kiosk.i18n check``    list missing, empty or fuzzy translations, placeholders that
                                  differ, .mo files that disagree with their .po, and Chinese
                                  literals that reach residents outside gettext
                                  (kiosk.i18n.literals); exit 1 if any
"""

from __future__ import annotations

import io
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from kiosk import REPO_ROOT
from kiosk.i18n import DOMAIN, LANGUAGES, LOCALE_DIR
from kiosk.i18n.literals import driver_texts, untranslated_literals

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
#: Functions whose first argument is a msgid (``tr``/``_tr``: a `Translator` passed to a widget).
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "translate": (1,),
                                                "tr": None, "_tr": None}
PO_WIDTH = 100


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """The .po file of a gettext language folder (zh_CN, en)."""
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    """The compiled .mo next to the .po."""
    return po_path(language).with_suffix(".mo")


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A .po or .pot file as a Babel catalogue."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path) -> None:
    """Write a .po/.pot file (Babel's layout, 100 columns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, sort_output=False, include_previous=False)
    path.write_bytes(buffer.getvalue())


def compile_catalog(language: str) -> Path:
    """Compile one language's .po to .mo with Babel; return the .mo path."""
    catalog = read_catalog(po_path(language), language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    path = mo_path(language)
    path.write_bytes(buffer.getvalue())
    return path


def extracted_msgids(root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """Every msgid marked in kiosk/ source -> where it occurs (file:line)."""
    found: dict[str, list[str]] = {}
    method_map = [("kiosk/**.py", "python")]
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map, keywords=KEYWORDS,
            directory_filter=lambda d: not Path(d).name.startswith(".")):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def extract(root: Path = REPO_ROOT, locale_dir: Path = LOCALE_DIR) -> int:
    """Add newly marked strings to the template and every .po; return how many were new."""
    template_path = locale_dir / TEMPLATE.name
    template = read_catalog(template_path)
    new = 0
    for msgid, places in extracted_msgids(root).items():
        if msgid not in template:
            new += 1
            locations = [(name, int(line)) for name, line in (p.rsplit(":", 1) for p in places)]
            template.add(msgid, locations=locations)
    write_catalog(template, template_path)
    for language in LANGUAGES.values():
        catalog = read_catalog(po_path(language, locale_dir), language)
        for message in template:
            if message.id and message.id not in catalog:
                catalog.add(message.id, "", locations=message.locations)
        write_catalog(catalog, po_path(language, locale_dir))
    return new


def fields(text: str) -> set[str]:
    """The str.format field names in ``text``."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def problems(root: Path = REPO_ROOT) -> list[str]:
    """Everything wrong with the catalogues, one line each (empty when all is well)."""
    found: list[str] = []
    template = read_catalog(TEMPLATE)
    wanted = [str(m.id) for m in template if m.id]
    for msgid in extracted_msgids(root):
        if msgid not in template:
            found.append(f"{msgid!r} is marked in the source but not in {TEMPLATE.name}")
    for language in LANGUAGES.values():
        catalog = read_catalog(po_path(language), language)
        for msgid in wanted:
            message = catalog.get(msgid)
            if message is None:
                found.append(f"{language}: {msgid!r} missing")
            elif not message.string:
                found.append(f"{language}: {msgid!r} not translated")
            elif message.fuzzy:
                found.append(f"{language}: {msgid!r} is fuzzy")
            elif fields(msgid) != fields(str(message.string)):
                found.append(f"{language}: {msgid!r} placeholders differ")
        if not mo_path(language).exists():
            found.append(f"{language}: {mo_path(language).name} missing (compile)")
            continue
        with mo_path(language).open("rb") as handle:
            compiled = read_mo(handle)
        po_pairs = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
        mo_pairs = {m.id: m.string for m in compiled if m.id}
        if po_pairs != mo_pairs:
            found.append(f"{language}: {mo_path(language).name} disagrees with the .po (compile)")
    found += [str(literal) for literal in untranslated_literals(root)]
    found += [f"{literal} (drivers return states; the kiosk words them)"
              for literal in driver_texts(root)]
    return found


def main(argv: list[str]) -> int:
    """`python -m kiosk.i18n extract|compile|check`."""
    command = argv[0] if argv else "check"
    if command == "extract":
        print(f"i18n: {extract()} new message(s)")
        return 0
    if command == "compile":
        for language in LANGUAGES.values():
            print(f"i18n: wrote {compile_catalog(language).relative_to(REPO_ROOT)}")
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(f"i18n: {line}", file=sys.stderr)
        print(f"i18n: {len(found)} problem(s)")
        return 1 if found else 0
    print("usage: python -m kiosk.i18n extract|compile|check", file=sys.stderr)
    return 2
