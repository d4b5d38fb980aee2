"""Question types: one registry maps each type to its form field and to its answer rules.

The model is CTFd's ``CHALLENGE_CLASSES`` and Indico's ``make_review_form``: a question is data (a
``type`` and its settings, see ``schema.QuestionDef``), and :data:`QUESTION_TYPES` maps each type
to an object that

- builds the WTForms field that asks it (:meth:`QuestionType.field`),
- reads what a person gave — a form value or a spreadsheet cell — into an :class:`AnswerData`,
  refusing it with :class:`InvalidAnswer` (:meth:`QuestionType.parse`),
- says whether an answer counts as answered (:meth:`QuestionType.answered`) and
- shows an answer as text (:meth:`QuestionType.show`, also what a workbook cell holds).

Numbers are read and shown as the reader's language writes them (Babel's symbols: ``2.000.000``
and ``1,5`` in it/da/de, ``2,000,000`` and ``1.5`` in English); what is stored stays a plain
number. Messages for people go through gettext (in English outside a request).

Pure code: WTForms field classes and Babel, no database; Flask only through gettext.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import translate
from .schema import QUESTION_TYPES as TYPE_NAMES
from .schema import QuestionDef, Scale

#: The form value (and the cell text, in any case) of a "not applicable" answer.
NOT_APPLICABLE = "na"
NOT_APPLICABLE_LABEL = _l("N/A – not applicable")
_NOT_APPLICABLE_WORDS = {"na", "n/a", "n.a.", "n/a – not applicable"}


def _means_not_applicable(text: str) -> bool:
    """``na``, ``N/A`` or the N/A label in any language (``N/A – ikke relevant``)."""
    text = text.strip().casefold()
    return text in _NOT_APPLICABLE_WORDS or text.startswith("n/a ") or text == str(NOT_APPLICABLE_LABEL).casefold()


def _wording(text: str) -> str:
    """A level's wording as it is compared: case, runs of white space and the kind of dash
    (``-``, ``–``, ``—``) do not matter."""
    return re.sub(r"\s+", " ", re.sub(r"\s*[-–—]\s*", " – ", text)).strip().casefold()


#: ``3 – Good``: a number, a dash or colon, and a wording (as :func:`_wording` writes it).
_NUMBER_AND_WORDING = re.compile(r"(-?\d+) ?[–:] ?(.+)", re.DOTALL)

#: ``id(scale)`` → (the scale, its wordings per point): a scale's wordings are worked out once, not
#: for every score read (a review save reads up to 33). Scales are immutable and come from the
#: cached definitions; the entry keeps its scale, so an id reused by another object is recomputed.
_SCALE_WORDINGS: dict[int, tuple[Scale, dict[int, frozenset[str]]]] = {}


def _level_wordings(scale: Scale) -> dict[int, frozenset[str]]:
    """``{point: the wordings that name it}`` (see ``ScaleType.wordings``), memoised per scale."""
    entry = _SCALE_WORDINGS.get(id(scale))
    if entry is None or entry[0] is not scale:
        if len(_SCALE_WORDINGS) >= 256:
            _SCALE_WORDINGS.clear()
        wordings = {point: frozenset(ScaleType.wordings(scale, point)) for point in range(scale.min, scale.max + 1)}
        entry = _SCALE_WORDINGS[id(scale)] = (scale, wordings)
    return entry[1]


class InvalidAnswer(ValueError):
    """What a person gave cannot be an answer to this question; the message says why."""


@dataclass(frozen=True)
class AnswerData:
    """An answer as plain values: a score (or N/A) for scale questions, a value for the others."""

    score: int | None = None
    not_applicable: bool = False
    value: Any = None
    comment: str = ""

    @property
    def empty(self) -> bool:
        return self == AnswerData()

    def with_comment(self, comment: str | None) -> AnswerData:
        return AnswerData(self.score, self.not_applicable, self.value, clean_text(comment))

    def digest(self) -> str:
        """A short fingerprint of the content: a form carries it to tell what the person changed."""
        canonical = json.dumps([self.score, self.not_applicable, self.value, self.comment],
                               sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    @classmethod
    def of(cls, answer) -> AnswerData:
        """From a stored ``Answer`` row (or anything with the same attributes); None gives empty."""
        if answer is None:
            return cls()
        return cls(answer.score, bool(answer.not_applicable), answer.value, answer.comment or "")


#: The longest text answer or comment, in characters (``EIS_MAX_TEXT_CHARS`` changes it).
MAX_TEXT_LENGTH = 20_000


def max_text_length() -> int:
    """The settings' limit on a text answer or comment (the default outside an app)."""
    from flask import current_app, has_app_context

    return int(current_app.config.get("EIS_MAX_TEXT_CHARS", MAX_TEXT_LENGTH)) if has_app_context() else MAX_TEXT_LENGTH


def check_text_length(text: str, what: str | None = None) -> str:
    """``text``, or :class:`InvalidAnswer` when it is longer than :func:`max_text_length`."""
    limit = max_text_length()
    if len(text) > limit:
        raise InvalidAnswer(_("%(what)s has %(length)s characters; at most %(limit)s are accepted",
                              what=what or _("the text"), length=format_number(len(text)),
                              limit=format_number(limit)))
    return text


def clean_text(text: str | None) -> str:
    """Browsers send ``\\r\\n`` from text areas; store ``\\n`` and no outer white space."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


class CheckboxesField(SelectMultipleField):
    """Several choices as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _option_key(raw: Any, question: QuestionDef) -> str:
    """The option a person means: its key, or its label in any language (case does not matter)."""
    text = str(raw).strip()
    for option in question.options:
        if text == option.key or text.casefold() in {label.casefold() for label in option.label.values()}:
            return option.key
    raise InvalidAnswer(_("'%(text)s' is not one of the options", text=text))


def _option_choices(question: QuestionDef, language: str) -> list[SelectChoice]:
    return [SelectChoice(option.key, translate(option.label, language)) for option in question.options]


class QuestionType:
    """The behaviour every question type shares; subclasses fill in what differs."""

    name: ClassVar[str]
    scored: ClassVar[bool] = False

    def field(self, question: QuestionDef, scale: Scale, language: str) -> UnboundField | None:
        """The WTForms field that asks the question (None: the question takes files only)."""
        raise NotImplementedError

    def parse(self, raw: Any, question: QuestionDef, scale: Scale, language: str = "en") -> AnswerData:
        """Read a form value or a cell typed in ``language``; blank is an empty answer. Raises
        :class:`InvalidAnswer`."""
        if _blank(raw):
            return AnswerData()
        return AnswerData(value=self.parse_value(raw, question, scale, language))

    def parse_value(self, raw: Any, question: QuestionDef, scale: Scale, language: str = "en") -> Any:
        raise NotImplementedError

    def form_value(self, data: AnswerData, language: str | None = None) -> Any:
        """What the form field shows for a stored answer (``language``: as the reader writes it;
        None: language-neutral, for hidden fields)."""
        return data.value

    def answered(self, data: AnswerData, evidence_count: int = 0) -> bool:
        """Whether the answer counts for completion and for the required-question rule."""
        return data.value is not None

    def show(self, data: AnswerData, question: QuestionDef, scale: Scale, language: str) -> str:
        """The answer as text for people (read-only pages, conflicts, workbook cells)."""
        return "" if data.value is None else str(data.value)

    def choices(self, question: QuestionDef, scale: Scale, language: str) -> list[str]:
        """The texts a workbook dropdown offers; empty when the cell is free input."""
        return []

    def hint(self, question: QuestionDef, scale: Scale, language: str) -> str:
        """How to answer in a workbook cell."""
        return ""

    def _help(self, question: QuestionDef, language: str) -> str:
        return translate(question.help, language)


class ScaleType(QuestionType):
    """A score on the questionnaire's scale, each level with its wording, and N/A if allowed."""

    name = "scale"
    scored = True

    def levels(self, scale: Scale, language: str) -> list[tuple[str, str]]:
        """(form value, wording) of each level, then N/A where the scale allows it."""
        levels = [(str(point), translate(scale.labels.get(point), language) or str(point))
                  for point in range(scale.min, scale.max + 1)]
        if scale.not_applicable:
            levels.append((NOT_APPLICABLE, str(NOT_APPLICABLE_LABEL)))
        return levels

    def field(self, question, scale, language):
        return RadioField(translate(question.text, language),
                          choices=[SelectChoice(value, text) for value, text in self.levels(scale, language)],
                          description=self._help(question, language), validate_choice=False)

    def parse(self, raw, question, scale, language="en"):
        """A level read from its number (``3``, ``3.0``, ``3,0``), its wording in any language of
        the questionnaire (``Not started: …``), or its number and wording (``3 – Good``); ``N/A``
        in any of its spellings. A wording is matched as a whole before any number is read, so a
        level worded ``5 – 10 staff trained`` is that level, not 5."""
        if _blank(raw):
            return AnswerData()
        if isinstance(raw, str) and _means_not_applicable(raw):
            if not scale.not_applicable:
                raise InvalidAnswer(_("N/A is not allowed in this questionnaire"))
            return AnswerData(not_applicable=True)
        score = self.read_level(raw, scale, language)
        if score is None or not scale.min <= score <= scale.max:
            raise InvalidAnswer(
                _("'%(raw)s' is not a level from %(min)s to %(max)s or N/A", raw=raw, min=scale.min, max=scale.max)
                if scale.not_applicable else
                _("'%(raw)s' is not a level from %(min)s to %(max)s", raw=raw, min=scale.min, max=scale.max))
        return AnswerData(score=score)

    def read_level(self, raw: Any, scale: Scale, language: str = "en") -> int | None:
        """The point ``raw`` names, or None; the caller checks the range."""
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float):
            return int(raw) if raw.is_integer() else None
        text = _wording(str(raw))
        for point in range(scale.min, scale.max + 1):
            if text in _level_wordings(scale)[point]:
                return point
        number = read_number(str(raw).strip(), language)
        if number is not None:
            return int(number) if number.is_integer() else None
        match = _NUMBER_AND_WORDING.fullmatch(text)
        if match and scale.min <= int(match.group(1)) <= scale.max:
            point = int(match.group(1))
            if match.group(2) in _level_wordings(scale)[point]:
                return point
        return None

    @staticmethod
    def wordings(scale: Scale, point: int) -> set[str]:
        """The wordings of a level in every language, compared as :func:`_wording` writes them,
        with and without their own leading ``N –``, whole or up to a colon (the level's name)."""
        found = set()
        for text in (scale.labels.get(point) or {}).values():
            text = _wording(text)
            match = _NUMBER_AND_WORDING.fullmatch(text)
            for wording in (text, match.group(2)) if match and int(match.group(1)) == point else (text,):
                found.add(wording)
                head = wording.split(":", 1)[0].strip()  # "Established: monitored yearly" → "established"
                if head and head != wording:
                    found.add(head)
        return found

    def form_value(self, data, language=None):
        if data.not_applicable:
            return NOT_APPLICABLE
        return None if data.score is None else str(data.score)

    def answered(self, data, evidence_count=0):
        return data.score is not None or data.not_applicable

    def show(self, data, question, scale, language):
        wanted = self.form_value(data)
        return next((text for value, text in self.levels(scale, language) if value == wanted), "")

    def choices(self, question, scale, language):
        return [text for _, text in self.levels(scale, language)]

    def hint(self, question, scale, language):
        return _("Choose a level from the list (or N/A).") if scale.not_applicable else _(
            "Choose a level from the list.")


class ChoiceType(QuestionType):
    """One of the question's options."""

    name = "choice"

    def field(self, question, scale, language):
        return RadioField(translate(question.text, language), description=self._help(question, language),
                          choices=_option_choices(question, language), validate_choice=False)

    def parse_value(self, raw, question, scale, language="en"):
        return _option_key(raw, question)

    def show(self, data, question, scale, language):
        return next((translate(o.label, language) for o in question.options if o.key == data.value), "")

    def choices(self, question, scale, language):
        return [translate(o.label, language) for o in question.options]

    def hint(self, question, scale, language):
        return _("Choose one option from the list.")


class MultiType(QuestionType):
    """Any number of the question's options, stored as keys in the options' order."""

    name = "multi"
    SEPARATORS = re.compile(r"[;\n]")

    def field(self, question, scale, language):
        return CheckboxesField(translate(question.text, language), description=self._help(question, language),
                               choices=_option_choices(question, language), validate_choice=False)

    def parse_value(self, raw, question, scale, language="en"):
        items = raw if isinstance(raw, (list, tuple)) else self.SEPARATORS.split(str(raw))
        chosen = {_option_key(item, question) for item in items if not _blank(item)}
        return [o.key for o in question.options if o.key in chosen] or None

    def parse(self, raw, question, scale, language="en"):
        value = None if _blank(raw) else self.parse_value(raw, question, scale, language)
        return AnswerData(value=value)

    def form_value(self, data, language=None):
        return list(data.value or [])

    def answered(self, data, evidence_count=0):
        return bool(data.value)

    def show(self, data, question, scale, language):
        chosen = set(data.value or [])
        return "; ".join(translate(o.label, language) for o in question.options if o.key in chosen)

    def hint(self, question, scale, language):
        labels = "; ".join(translate(o.label, language) for o in question.options)
        return _("One or more of these, separated by semicolons: %(labels)s", labels=labels)


class NumberType(QuestionType):
    """A number, within the question's ``min`` and ``max`` when it has them.

    Typed as the reader's language writes numbers (``2.000.000`` or ``1,5`` in Danish); when the
    text cannot be read that way, the other convention is tried, which reads ``1.5`` and
    ``2,000,000`` in German too. Spaces and apostrophes between digit groups are ignored.
    """

    name = "number"

    def field(self, question, scale, language):
        unit = translate(question.unit, language)
        help_text = " ".join(part for part in (_("In %(unit)s.", unit=unit) if unit else "",
                                               self._help(question, language)) if part)
        return StringField(translate(question.text, language), description=help_text,
                           render_kw={"inputmode": "decimal", "autocomplete": "off"})

    def parse_value(self, raw, question, scale, language="en"):
        if isinstance(raw, bool):
            raise InvalidAnswer(_("'%(raw)s' is not a number", raw=raw))
        if isinstance(raw, (int, float)):
            number = float(raw)
        else:
            number = read_number(str(raw), language)
            if number is None:
                raise InvalidAnswer(_("'%(raw)s' is not a number", raw=str(raw).strip()))
        if number != number or number in (float("inf"), float("-inf")):
            raise InvalidAnswer(_("'%(raw)s' is not a number", raw=raw))
        if question.min is not None and number < question.min:
            raise InvalidAnswer(_("must be at least %(min)s", min=show_number(question.min, language)))
        if question.max is not None and number > question.max:
            raise InvalidAnswer(_("must be at most %(max)s", max=show_number(question.max, language)))
        return _plain(number)

    def form_value(self, data, language=None):
        if data.value is None:
            return None
        if language is None:
            return str(data.value)
        return format_decimal(data.value, locale=language, group_separator=False, decimal_quantization=False)

    def show(self, data, question, scale, language):
        if data.value is None:
            return ""
        unit = translate(question.unit, language)
        return show_number(data.value, language) + (f" {unit}" if unit else "")

    def hint(self, question, scale, language):
        unit = translate(question.unit, language)
        low = show_number(question.min, language) if question.min is not None else None
        high = show_number(question.max, language) if question.max is not None else None
        if low is not None and high is not None:
            bounds = _("from %(min)s to %(max)s", min=low, max=high)
        elif low is not None:
            bounds = _("at least %(min)s", min=low)
        elif high is not None:
            bounds = _("at most %(max)s", max=high)
        else:
            bounds = ""
        if unit and bounds:
            return _("A number in %(unit)s, %(bounds)s.", unit=unit, bounds=bounds)
        if unit:
            return _("A number in %(unit)s.", unit=unit)
        if bounds:
            return _("A number, %(bounds)s.", bounds=bounds)
        return _("A number.")


#: What people put between digit groups besides the language's own separator.
_GROUPING = re.compile(r"[\s\u00a0\u202f'’]")


def _number_pattern(decimal: str, group: str) -> re.Pattern:
    d, g = re.escape(decimal), re.escape(group)
    return re.compile(rf"(?P<int>\d{{1,3}}(?:{g}\d{{3}})+|\d+)?(?:{d}(?P<frac>\d+))?")


def read_number(text: str, language: str = "en") -> float | None:
    """``text`` as a number written in ``language`` (then in the other convention); None if it is
    not a number. ``2.000.000``, ``1.234,5`` and ``1,5`` in it/da/de; ``2,000,000``, ``1.5`` in en."""
    text = _GROUPING.sub("", text).replace("\u2212", "-")
    sign, body = "", text
    if text[:1] in ("-", "+"):
        sign, body = ("-" if text[0] == "-" else ""), text[1:]
    decimal, group = get_decimal_symbol(language), get_group_symbol(language)
    if group in (" ", "\u00a0", "\u202f") or group == decimal:
        group = "," if decimal == "." else "."
    for d, g in ((decimal, group), (group, decimal)):
        match = _number_pattern(d, g).fullmatch(body)
        if match and (match.group("int") or match.group("frac")):
            whole = (match.group("int") or "0").replace(g, "")
            return float(f"{sign}{whole}.{match.group('frac') or '0'}")
    return None


def show_number(number: int | float, language: str = "en") -> str:
    """A number as ``language`` writes it, every digit kept (``2.000.000``, ``1.234,5``)."""
    return format_decimal(number, locale=language, decimal_quantization=False)


def _plain(number: float) -> int | float:
    """Whole numbers as int (540000, not 540000.0)."""
    return int(number) if float(number).is_integer() else float(number)


class TextType(QuestionType):
    """Free text."""

    name = "text"

    def field(self, question, scale, language):
        return TextAreaField(translate(question.text, language), description=self._help(question, language),
                             render_kw={"rows": 5})

    def parse_value(self, raw, question, scale, language="en"):
        return check_text_length(clean_text(str(raw)), _("the answer")) or None

    def parse(self, raw, question, scale, language="en"):
        return AnswerData(value=None if _blank(raw) else self.parse_value(raw, question, scale, language))

    def answered(self, data, evidence_count=0):
        return bool(data.value)

    def form_value(self, data, language=None):
        return data.value or ""

    def hint(self, question, scale, language):
        return _("Free text.")


class EvidenceType(QuestionType):
    """Files only: answered once a file is attached (files are uploaded in the app)."""

    name = "evidence"

    def field(self, question, scale, language):
        return None

    def parse(self, raw, question, scale, language="en"):
        return AnswerData()

    def answered(self, data, evidence_count=0):
        return evidence_count > 0

    def show(self, data, question, scale, language):
        return ""

    def hint(self, question, scale, language):
        return _("Files are attached in the app, not in the workbook.")


#: Every question type by its name, as questionnaire files spell it.
QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind() for kind in (ScaleType, ChoiceType, MultiType, NumberType, TextType, EvidenceType)
}
assert set(QUESTION_TYPES) == set(TYPE_NAMES), "every type of the file format needs a QuestionType"


def question_type(question: QuestionDef) -> QuestionType:
    return QUESTION_TYPES[question.type]


def parse_answer(question: QuestionDef, scale: Scale, raw: Any, comment: str | None = "",
                 language: str = "en") -> AnswerData:
    """A person's input for a question (value and comment), typed in ``language``; raises
    :class:`InvalidAnswer`."""
    check_text_length(clean_text(comment), _("the comment"))
    return question_type(question).parse(raw, question, scale, language).with_comment(comment)


def is_answered(question: QuestionDef, data: AnswerData, evidence_count: int = 0) -> bool:
    return question_type(question).answered(data, evidence_count)


def show_answer(question: QuestionDef, scale: Scale, data: AnswerData, language: str) -> str:
    return question_type(question).show(data, question, scale, language)


def parse_score(raw: Any, scale: Scale, language: str = "en") -> AnswerData:
    """A score as typed anywhere (a form, a cell, a bundle): a level, its wording, or N/A; blank
    is no score. Raises :class:`InvalidAnswer`."""
    return QUESTION_TYPES["scale"].parse(raw, None, scale, language)
