"""The questionnaire file format: definitions, parsing with line numbers, validation.

A questionnaire file (``questionnaires/<key>-v<version>.yaml``) is composed into a YAML node
tree, so that every problem can point at the line of the offending key or value. The whole file
is checked and every problem collected; a file with any problem is refused as a whole with a
:class:`QuestionnaireError` listing ``FILE:LINE: message`` for each.

Pure code: no Flask, no database.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml
from yaml.constructor import SafeConstructor

from ..datafiles import Limits, LimitError, check_size, check_yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: libyaml's loader where PyYAML has it (ten times faster); both give the same node marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

QUESTION_TYPES = ("scale", "choice", "multi", "number", "text", "evidence")

Translations = dict[str, str]
"""Text in several languages: ``{"en": "...", "it": "..."}``; ``en`` is always present."""


# --- definitions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """The answer scale of every scored question of a questionnaire."""

    min: int
    max: int
    labels: dict[int, Translations]
    not_applicable: bool = False

    def to_dict(self) -> dict[str, Any]:
        # JSON object keys are strings, so the points are written as strings.
        return {
            "min": self.min,
            "max": self.max,
            "labels": {str(point): dict(text) for point, text in self.labels.items()},
            "not_applicable": self.not_applicable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scale:
        labels = {int(point): dict(text) for point, text in data["labels"].items()}
        return cls(data["min"], data["max"], dict(sorted(labels.items())), data["not_applicable"])


@dataclass(frozen=True)
class Option:
    """One answer of a choice or multi question; ``key`` is what answers store."""

    key: str
    label: Translations

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": dict(self.label)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Option:
        return cls(data["key"], dict(data["label"]))


@dataclass(frozen=True)
class QuestionDef:
    """One question; ``position`` is its 0-based index within its dimension."""

    key: str
    dimension: str
    type: str
    text: Translations
    help: Translations = field(default_factory=dict)
    weight: float | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    unit: Translations = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    position: int = 0

    @property
    def scored(self) -> bool:
        """Only scale questions are scored."""
        return self.type == "scale"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "text": dict(self.text),
            "help": dict(self.help),
            "weight": self.weight,
            "required": self.required,
            "options": [option.to_dict() for option in self.options],
            "unit": dict(self.unit),
            "min": self.min,
            "max": self.max,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], dimension: str, position: int) -> QuestionDef:
        return cls(
            key=data["key"],
            dimension=dimension,
            type=data["type"],
            text=dict(data["text"]),
            help=dict(data["help"]),
            weight=_float_or_none(data["weight"]),
            required=data["required"],
            options=tuple(Option.from_dict(option) for option in data["options"]),
            unit=dict(data["unit"]),
            min=_float_or_none(data["min"]),
            max=_float_or_none(data["max"]),
            position=position,
        )


@dataclass(frozen=True)
class DimensionDef:
    """A group of questions; ``position`` is its 0-based index in the questionnaire."""

    key: str
    title: Translations
    description: Translations = field(default_factory=dict)
    weight: float = 1.0
    questions: tuple[QuestionDef, ...] = ()
    position: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": dict(self.title),
            "description": dict(self.description),
            "weight": self.weight,
            "questions": [question.to_dict() for question in self.questions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], position: int) -> DimensionDef:
        questions = tuple(
            QuestionDef.from_dict(question, data["key"], index)
            for index, question in enumerate(data["questions"])
        )
        return cls(
            key=data["key"],
            title=dict(data["title"]),
            description=dict(data["description"]),
            weight=float(data["weight"]),
            questions=questions,
            position=position,
        )


@dataclass(frozen=True)
class QuestionnaireDef:
    """One version of a questionnaire, identified as ``key@version``."""

    key: str
    version: int
    title: Translations
    description: Translations
    scale: Scale
    dimensions: tuple[DimensionDef, ...]

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    def questions(self) -> list[QuestionDef]:
        """All questions, dimension by dimension, in file order."""
        return [question for dimension in self.dimensions for question in dimension.questions]

    def scored_questions(self) -> list[QuestionDef]:
        return [question for question in self.questions() if question.scored]

    def question(self, key: str) -> QuestionDef:
        """The question with this key; KeyError if there is none."""
        for question in self.questions():
            if question.key == key:
                return question
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """The canonical plain-data (JSON-ready) form, with every default filled in."""
        return {
            "key": self.key,
            "version": self.version,
            "title": dict(self.title),
            "description": dict(self.description),
            "scale": self.scale.to_dict(),
            "dimensions": [dimension.to_dict() for dimension in self.dimensions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionnaireDef:
        """Rebuild from :meth:`to_dict` output (trusted data: not validated again)."""
        return cls(
            key=data["key"],
            version=data["version"],
            title=dict(data["title"]),
            description=dict(data["description"]),
            scale=Scale.from_dict(data["scale"]),
            dimensions=tuple(
                DimensionDef.from_dict(dimension, index)
                for index, dimension in enumerate(data["dimensions"])
            ),
        )


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


# --- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem in a file, at a 1-based line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire file was refused; ``problems`` lists why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- loading ----------------------------------------------------------------------------------


def load_questionnaire_file(path: str | os.PathLike[str], limits: Limits = Limits()) -> QuestionnaireDef:
    """Read a UTF-8 questionnaire file and parse it; unreadable files are problems too."""
    filename = str(path)
    try:
        check_size(Path(path).stat().st_size, limits)
        data = Path(path).read_bytes()
    except LimitError as exc:
        raise QuestionnaireError([Problem(filename, exc.line, exc.message)]) from None
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        raise QuestionnaireError([Problem(filename, 1, message)]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line})"
        raise QuestionnaireError([Problem(filename, 1, message)]) from None
    return parse_questionnaire(text, filename, limits)


def parse_questionnaire(text: str, filename: str, limits: Limits = Limits()) -> QuestionnaireDef:
    """Parse and validate questionnaire YAML; raise QuestionnaireError with every problem."""
    try:
        check_yaml(text, limits)
        root = yaml.compose(text, Loader=_LOADER)
    except LimitError as exc:
        raise QuestionnaireError([Problem(filename, exc.line, exc.message)]) from None
    except yaml.YAMLError as exc:
        raise QuestionnaireError([_syntax_problem(exc, text, filename)]) from None
    if not isinstance(root, MappingNode):
        line = 1 if root is None else root.start_mark.line + 1
        message = "the file must be a mapping with key, version, title, scale and dimensions"
        raise QuestionnaireError([Problem(filename, line, message)])
    validator = _Validator(filename)
    questionnaire = validator.questionnaire(root)
    if validator.problems:
        raise QuestionnaireError(sorted(validator.problems, key=lambda problem: problem.line))
    return questionnaire


def _syntax_problem(exc: yaml.YAMLError, text: str, filename: str) -> Problem:
    """One problem for a YAML error, at the line the parser names."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:
            message = f"{exc.problem} ({exc.context})"
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        message = f"unacceptable character #x{exc.character:04x}"
    else:
        line, message = 1, str(exc)
    return Problem(filename, line, f"YAML syntax error: {message}")


# --- validation -------------------------------------------------------------------------------

_QUESTIONNAIRE_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
_NAME = re.compile(r"[a-z0-9_]+")
_LANGUAGE = re.compile(r"[a-z]{2}")
_FILE_NAME = re.compile(r"(.+)-v([0-9]+)\.yaml")

# Fields of each mapping: name -> required.
_TOP_FIELDS = {
    "key": True, "version": True, "title": True, "description": False, "scale": True,
    "dimensions": True,
}
_SCALE_FIELDS = {"min": True, "max": True, "labels": True, "not_applicable": False}
_DIMENSION_FIELDS = {
    "key": True, "title": True, "description": False, "weight": False, "questions": True,
}
_QUESTION_FIELDS = {
    "key": True, "type": True, "text": True, "help": False, "weight": False, "required": False,
    "options": False, "unit": False, "min": False, "max": False,
}
_OPTION_FIELDS = {"key": True, "label": True}
# Question fields that only some types accept.
_TYPE_FIELDS = {
    "weight": ("scale",),
    "options": ("choice", "multi"),
    "unit": ("number",),
    "min": ("number",),
    "max": ("number",),
}

_INVALID = object()


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def _shown(node: Node) -> str:
    """How a node is named in a message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return repr(node.value) if node.tag.endswith(":str") else node.value or "null"


class _Validator:
    """Walks the node tree of one file, builds the definitions and collects problems."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()
        self._key_nodes: dict[int, Node] = {}  # id(field value node) -> its key node
        self._question_lines: dict[str, int] = {}

    # reporting

    def report(self, node: Node, path: str, message: str) -> None:
        """Record a problem at the node's line, or at its key's line when it is a field value."""
        line = self._key_nodes.get(id(node), node).start_mark.line + 1
        prefix = f"{path}: " if path else ""
        self.problems.append(Problem(self.filename, line, prefix + message))

    # structure

    def pairs(self, node: MappingNode, path: str) -> list[tuple[ScalarNode, Node]]:
        """The mapping's (key, value) node pairs, reporting duplicate and non-scalar keys."""
        first_lines: dict[tuple[str, Any], int] = {}
        pairs = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, path, f"keys must be plain values, not {_shown(key_node)}")
                continue
            value = self._scalar(key_node)
            identity = (key_node.tag, key_node.value if value is _INVALID else value)
            if identity in first_lines:
                first = first_lines[identity]
                message = f"duplicate key '{key_node.value}' (first at line {first})"
                self.report(key_node, path, message)
                continue
            first_lines[identity] = key_node.start_mark.line + 1
            pairs.append((key_node, value_node))
        return pairs

    def fields(self, node: Node, path: str, spec: dict[str, bool]) -> dict[str, Node]:
        """The known fields of a mapping by name, reporting unknown and missing ones."""
        if not isinstance(node, MappingNode):
            self.report(node, path, f"must be a mapping, not {_shown(node)}")
            return {}
        found = {}
        for key_node, value_node in self.pairs(node, path):
            name = key_node.value
            if name not in spec:
                close = difflib.get_close_matches(name, spec, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.report(key_node, path, f"unknown field '{name}'{hint}")
                continue
            self._key_nodes[id(value_node)] = key_node
            found[name] = value_node
        for name, required in spec.items():
            if required and name not in found:
                self.report(node, path, f"missing field '{name}'")
        return found

    def field(
        self, fields: dict[str, Node], name: str, path: str,
        check: Callable[[Node, str], Any], default: Any = None,
    ) -> Any:
        """Check an optional or required field with ``check``; the default when it is absent."""
        node = fields.get(name)
        return default if node is None else check(node, _join(path, name))

    def items(self, node: Node, path: str) -> list[Node]:
        """The items of a non-empty list."""
        if not isinstance(node, SequenceNode):
            self.report(node, path, f"must be a list, not {_shown(node)}")
            return []
        if not node.value:
            self.report(node, path, "must not be empty")
        return node.value

    # scalars

    def _scalar(self, node: ScalarNode) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            return _INVALID

    def value(self, node: Node, path: str, types: tuple[type, ...], expected: str) -> Any:
        """The node's value if it is a scalar of one of ``types`` (exactly: bool is not int)."""
        if isinstance(node, ScalarNode):
            value = self._scalar(node)
            if type(value) in types:
                return value
        self.report(node, path, f"must be {expected}, not {_shown(node)}")
        return None

    def string(self, node: Node, path: str) -> str | None:
        """A non-empty string, stripped."""
        text = self.value(node, path, (str,), "a string")
        if text is None:
            return None
        if not text.strip():
            self.report(node, path, "must not be empty")
            return None
        return text.strip()

    def boolean(self, node: Node, path: str) -> bool | None:
        return self.value(node, path, (bool,), "true or false")

    def integer(self, node: Node, path: str) -> int | None:
        return self.value(node, path, (int,), "an integer")

    def number(self, node: Node, path: str) -> float | None:
        number = self.value(node, path, (int, float), "a number")
        if number is not None and not math.isfinite(number):
            self.report(node, path, f"must be a finite number, not {_shown(node)}")
            return None
        return None if number is None else float(number)

    def weight(self, node: Node, path: str) -> float | None:
        weight = self.number(node, path)
        if weight is not None and weight <= 0:
            self.report(node, path, f"must be greater than 0, not {_shown(node)}")
            return None
        return weight

    def pattern(self, node: Node, path: str, regex: re.Pattern[str], rule: str) -> str | None:
        text = self.string(node, path)
        if text is not None and not regex.fullmatch(text):
            self.report(node, path, f"'{text}' must be {rule}")
            return None
        return text

    def unique(self, node: Node, path: str, what: str, key: str, seen: dict[str, int]) -> bool:
        """Record ``key`` as used; report and return False when it already was."""
        if key in seen:
            self.report(node, path, f"duplicate {what} key '{key}' (first at line {seen[key]})")
            return False
        seen[key] = node.start_mark.line + 1
        return True

    def translations(self, node: Node, path: str) -> Translations:
        """A mapping of two-letter language code to text, with ``en``."""
        if not isinstance(node, MappingNode):
            expected = "a mapping of language code to text"
            self.report(node, path, f"must be {expected}, not {_shown(node)}")
            return {}
        texts = {}
        languages = set()
        for key_node, value_node in self.pairs(node, path):
            language = key_node.value
            if not _LANGUAGE.fullmatch(language):
                self.report(key_node, path, f"'{language}' is not a two-letter language code")
                continue
            languages.add(language)
            text = self.string(value_node, _join(path, language))
            if text is not None:
                texts[language] = text
        if "en" not in languages:
            self.report(node, path, "missing the English text 'en'")
        return texts

    # the questionnaire

    def questionnaire(self, root: MappingNode) -> QuestionnaireDef:
        fields = self.fields(root, "", _TOP_FIELDS)
        key = self.field(fields, "key", "", self.questionnaire_key)
        version = self.field(fields, "version", "", self.version)
        self.check_file_name(fields, key, version)
        return QuestionnaireDef(
            key=key,
            version=version,
            title=self.field(fields, "title", "", self.translations, {}),
            description=self.field(fields, "description", "", self.translations, {}),
            scale=self.field(fields, "scale", "", self.scale),
            dimensions=self.field(fields, "dimensions", "", self.dimensions, ()),
        )

    def questionnaire_key(self, node: Node, path: str) -> str | None:
        rule = "lower-case letters, digits and '-', not starting with '-'"
        return self.pattern(node, path, _QUESTIONNAIRE_KEY, rule)

    def version(self, node: Node, path: str) -> int | None:
        version = self.integer(node, path)
        if version is not None and version < 1:
            self.report(node, path, f"must be at least 1, not {version}")
            return None
        return version

    def check_range(self, fields: dict[str, Node], path: str, low: Any, high: Any) -> bool:
        """Report (at max) and return False when both bounds are set and min >= max."""
        if low is None or high is None or low < high:
            return True
        self.report(fields["max"], _join(path, "max"), f"must be greater than min ({low:g})")
        return False

    def check_file_name(self, fields: dict[str, Node], key: str | None, version: int | None):
        """A file named ``<something>-v<digits>.yaml`` must agree with key and version."""
        name = os.path.basename(self.filename)
        match = _FILE_NAME.fullmatch(name)
        if not match:
            return
        if key is not None and match[1] != key:
            self.report(fields["key"], "key", f"'{key}' does not match the file name '{name}'")
        if version is not None and int(match[2]) != version:
            message = f"{version} does not match the file name '{name}'"
            self.report(fields["version"], "version", message)

    def scale(self, node: Node, path: str) -> Scale:
        fields = self.fields(node, path, _SCALE_FIELDS)
        low = self.field(fields, "min", path, self.integer)
        high = self.field(fields, "max", path, self.integer)
        if not self.check_range(fields, path, low, high):
            low = high = None
        labels = self.field(
            fields, "labels", path, lambda labels, where: self.labels(labels, where, low, high), {}
        )
        not_applicable = self.field(fields, "not_applicable", path, self.boolean, False)
        return Scale(low, high, labels, not_applicable)

    def labels(self, node: Node, path: str, low: int | None, high: int | None):
        """One label per point of the scale, keyed by the point."""
        if not isinstance(node, MappingNode):
            self.report(node, path, f"must be a mapping of scale point to text, not {_shown(node)}")
            return {}
        known = low is not None and high is not None
        labels = {}
        for key_node, value_node in self.pairs(node, path):
            point = self._scalar(key_node)
            if type(point) is not int:
                self.report(key_node, path, f"{_shown(key_node)} is not a scale point (an integer)")
            elif known and not low <= point <= high:
                self.report(key_node, path, f"{point} is outside the scale {low}..{high}")
            else:
                labels[point] = self.translations(value_node, _join(path, str(point)))
        if known:
            missing = [str(point) for point in range(low, high + 1) if point not in labels]
            if missing:
                shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
                self.report(node, path, f"no label for {shown}")
        return dict(sorted(labels.items()))

    def dimensions(self, node: Node, path: str) -> tuple[DimensionDef, ...]:
        seen: dict[str, int] = {}
        return tuple(
            self.dimension(item, _join(path, index), index, seen)
            for index, item in enumerate(self.items(node, path))
        )

    def dimension(self, node: Node, path: str, position: int, seen: dict[str, int]) -> DimensionDef:
        fields = self.fields(node, path, _DIMENSION_FIELDS)
        key = self.field(fields, "key", path, self.dimension_key)
        if key is not None:
            if not self.unique(fields["key"], _join(path, "key"), "dimension", key, seen):
                key = None
        questions_path = _join(path, "questions")
        questions = tuple(
            self.question(item, _join(questions_path, index), index, key)
            for index, item in enumerate(self.field(fields, "questions", path, self.items, []))
        )
        return DimensionDef(
            key=key,
            title=self.field(fields, "title", path, self.translations, {}),
            description=self.field(fields, "description", path, self.translations, {}),
            weight=self.field(fields, "weight", path, self.weight, 1.0),
            questions=questions,
            position=position,
        )

    def dimension_key(self, node: Node, path: str) -> str | None:
        return self.pattern(node, path, _NAME, "lower-case letters, digits and '_'")

    def question(self, node: Node, path: str, position: int, dimension: str | None) -> QuestionDef:
        fields = self.fields(node, path, _QUESTION_FIELDS)
        key = self.field(
            fields, "key", path, lambda node, where: self.question_key(node, where, dimension)
        )
        question_type = self.field(fields, "type", path, self.question_type)
        if question_type is not None:
            self.check_type_fields(node, path, question_type, fields)
        low = self.field(fields, "min", path, self.number)
        high = self.field(fields, "max", path, self.number)
        if not self.check_range(fields, path, low, high):
            high = None
        return QuestionDef(
            key=key,
            dimension=dimension,
            type=question_type,
            text=self.field(fields, "text", path, self.translations, {}),
            help=self.field(fields, "help", path, self.translations, {}),
            weight=self.field(
                fields, "weight", path, self.weight, 1.0 if question_type == "scale" else None
            ),
            required=self.field(fields, "required", path, self.boolean, False),
            options=self.field(fields, "options", path, self.options, ()),
            unit=self.field(fields, "unit", path, self.translations, {}),
            min=low,
            max=high,
            position=position,
        )

    def question_key(self, node: Node, path: str, dimension: str | None) -> str | None:
        """``<dimension>.<name>``, unique across the file."""
        key = self.string(node, path)
        if key is None:
            return None
        prefix, dot, name = key.partition(".")
        if dimension is not None and prefix != dimension:
            self.report(node, path, f"'{key}' must start with '{dimension}.'")
        elif not (dot and _NAME.fullmatch(prefix) and _NAME.fullmatch(name)):
            rule = "'<dimension>.<name>' with a name of lower-case letters, digits and '_'"
            self.report(node, path, f"'{key}' must be {rule}")
        elif self.unique(node, path, "question", key, self._question_lines):
            return key
        return None

    def question_type(self, node: Node, path: str) -> str | None:
        question_type = self.string(node, path)
        if question_type is not None and question_type not in QUESTION_TYPES:
            self.report(node, path, f"'{question_type}' is not one of {', '.join(QUESTION_TYPES)}")
            return None
        return question_type

    def check_type_fields(self, node: Node, path: str, question_type: str, fields: dict[str, Node]):
        """Drop (and report) fields the type does not take; require options where needed."""
        for name, types in _TYPE_FIELDS.items():
            if name in fields and question_type not in types:
                message = f"only allowed on {' and '.join(types)} questions"
                self.report(fields.pop(name), _join(path, name), message)
        if question_type in _TYPE_FIELDS["options"] and "options" not in fields:
            message = f"missing field 'options' (required for {question_type} questions)"
            self.report(node, path, message)

    def options(self, node: Node, path: str) -> tuple[Option, ...]:
        seen: dict[str, int] = {}
        options = []
        for index, item in enumerate(self.items(node, path)):
            where = _join(path, index)
            option, key_node = self.option(item, where)
            if option is not None and self.unique(key_node, where, "option", option.key, seen):
                options.append(option)
        return tuple(options)

    def option(self, node: Node, path: str) -> tuple[Option | None, Node]:
        """A plain string (its own English label) or a mapping ``{key, label}``."""
        if isinstance(node, ScalarNode):
            text = self.string(node, path)
            return (None if text is None else Option(text, {"en": text})), node
        if not isinstance(node, MappingNode):
            expected = "a string or a mapping with key and label"
            self.report(node, path, f"must be {expected}, not {_shown(node)}")
            return None, node
        fields = self.fields(node, path, _OPTION_FIELDS)
        key = self.field(fields, "key", path, self.string)
        label = self.field(fields, "label", path, self.translations, {})
        return (None if key is None else Option(key, label)), fields.get("key", node)
