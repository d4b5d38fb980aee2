"""Reading people's YAML and JSON files within limits: size, nesting depth, no YAML aliases.

Questionnaires and bundles come from people's editors and other tools. Before a file is composed
or parsed, its size is checked and its YAML event stream is read once, iteratively, for aliases
(a 700-byte "billion laughs" expands to gigabytes) and for nesting deeper than any real file
(libyaml and the JSON decoder recurse, and a 50,000-deep file overflows the C stack). Each
refusal is a :class:`LimitError` with a line number and a one-line reason.

No Flask: the limits are passed in (``config.py`` reads them from the settings).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

#: libyaml's parser where PyYAML has it; the pure-Python one gives the same events and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True)
class Limits:
    """The largest file people may hand in, and how deeply it may nest."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 64


class LimitError(ValueError):
    """A file over a limit, or using a YAML feature that is refused; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise LimitError(1, f"the file has {size:,} bytes; at most {limits.max_bytes:,} are accepted")


def check_yaml(text: str, limits: Limits) -> None:
    """Refuse aliases, anchors and nesting deeper than ``limits.max_depth`` (syntax errors pass
    through as ``yaml.YAMLError`` for the caller's own reporting)."""
    check_size(len(text.encode("utf-8")), limits)
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise LimitError(event.start_mark.line + 1,
                             "YAML anchors and aliases (&name, *name) are not accepted: write the values out")
        if isinstance(event, _OPENING):
            depth += 1
            if depth > limits.max_depth:
                raise LimitError(event.start_mark.line + 1,
                                 f"nested more than {limits.max_depth} levels deep")
        elif isinstance(event, _CLOSING):
            depth -= 1


def depth_of(value) -> int:
    """How deeply lists and mappings nest in ``value`` (iteratively: no recursion to overflow)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(text: str, limits: Limits):
    """``json.loads`` within the size and depth limits (``json.JSONDecodeError`` passes through)."""
    check_size(len(text.encode("utf-8")), limits)
    try:
        data = json.loads(text)
    except RecursionError:
        raise LimitError(1, f"nested more than {limits.max_depth} levels deep") from None
    if depth_of(data) > limits.max_depth:
        raise LimitError(1, f"nested more than {limits.max_depth} levels deep")
    return data


def safe_load_yaml(text: str, limits: Limits):
    """``yaml.safe_load`` after :func:`check_yaml`."""
    check_yaml(text, limits)
    return yaml.load(text, Loader=_LOADER)
