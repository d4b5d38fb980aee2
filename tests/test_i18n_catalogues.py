"""The it/da/de catalogues are complete for every string the code marks for translation.

Scope: the extractor runs over the whole tree as ``babel.cfg`` describes it (every Python module of
``eis_toolkit/`` and every template), exactly as ``make messages`` does. A newly marked string,
anywhere, fails here until it is translated in the three catalogues (docs/languages.md).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "eis_toolkit" / "translations"
LANGUAGES = ("it", "da", "de")
#: The same keywords as `make messages` (Makefile): gettext's defaults plus the lazy ones.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


@pytest.fixture(scope="module")
def extracted() -> dict[str, tuple[str, ...]]:
    """Every msgid the code marks, as extracted now: {msgid: (locations...)}."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return {msgid: tuple(places) for msgid, places in found.items()}


def _catalogue(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


def test_the_extractor_finds_the_marked_strings(extracted):
    """A guard against a broken babel.cfg: strings of templates, forms and views are all found."""
    assert "Skip to content" in extracted  # templates/base.html
    assert "Keep me logged in on this computer" in extracted  # a lazy_gettext form label
    assert "%(num)d required question left." in extracted  # an ngettext plural in a template
    assert "Saving…" in extracted  # the self-assessment script's messages
    assert len(extracted) > 250


def test_every_template_that_marks_strings_gives_messages(extracted):
    """The Jinja extractor drops a whole template, silently, at a tag it does not know (``{% cache %}``
    did): every template that calls ``_(`` must give at least one message."""
    extracted_from = {place.rsplit(":", 1)[0] for places in extracted.values() for place in places}
    templates = [path for path in (ROOT / "templates").rglob("*") if path.suffix in (".html", ".txt")]
    marking = {str(path.relative_to(ROOT)) for path in templates
               if "_(" in path.read_text(encoding="utf-8") or "ngettext(" in path.read_text(encoding="utf-8")}
    assert not sorted(marking - extracted_from), "templates whose strings the extractor skipped"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_translated(extracted, language):
    catalogue = _catalogue(language)
    problems = []
    for msgid, places in sorted(extracted.items()):
        message = catalogue.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({places[0]})")
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings) or len(strings) != (catalogue.num_plurals if message.pluralizable else 1):
            problems.append(f"untranslated: {msgid!r} ({places[0]})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({places[0]})")
    assert not problems, (f"{len(problems)} strings of the code lack a {language} translation; run "
                          f"`make messages`, translate, `make translations`:\n" + "\n".join(problems))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    """``%(name)s`` in the English must be in the translation too (Babel's python-format check)."""
    catalogue = _catalogue(language)
    problems = [f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in catalogue.check()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogues_hold_no_strings_the_code_no_longer_marks(extracted, language):
    stale = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(language)
                   if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in extracted)
    assert not stale, f"drop these with `make messages` (pybabel update): {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date(language):
    """``make setup`` compiles the .po; a stale .mo would show old texts."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    assert mo.exists(), f"{mo} is missing: run `make translations`"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po: run `make translations`"
