"""The reading of a strategy file: its size, its encoding and YAML read by a
loader that refuses what the format never needs (aliases, tags, deep nesting,
duplicate keys) before anything is built; then the content is checked
(strategy/file_checks.py).
"""

from __future__ import annotations

import codecs

import yaml
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from strategy.file_checks import Problem, Shown, StrategyFileError, check_strategy_document

# The deepest a valid file nests is eight (file, focus_areas, area, goals, goal,
# indicators, indicator, value); anything much deeper is refused before it is built.
MAX_DEPTH = 20


class _Refused(yaml.MarkedYAMLError):
    """Something the strategy format never needs, refused where it stands in the file."""

    def __init__(self, mark, message: str):
        super().__init__(problem=message, problem_mark=mark)
        self.message = message


def _nested_too_deep() -> str:
    return _("nested more than %(max)s levels deep; a strategy file nests far less") % {"max": MAX_DEPTH}


class _Strict:
    """PyYAML's safe loading, refusing while it reads, before anything is built:
    anchors and aliases (a few hundred bytes of nested aliases expand to
    gigabytes), tags (`!!python/…`, `!!binary`, custom ones), nesting deeper
    than MAX_DEPTH (`[` × 100,000), merge keys and duplicate keys (the second
    would silently replace the first)."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _Refused(event.start_mark, _("anchors and aliases (& and *) are not allowed; write the value out"))
        if event.tag is not None:
            raise _Refused(event.start_mark, _("tags (!…) are not allowed; write the value as plain text"))
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(event.start_mark, _nested_too_deep())
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node.start_mark, _("merge keys (<<) are not allowed; write the keys out"))
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise _Refused(key_node.start_mark, _("a key must be text")) from None
            if duplicate:
                raise _Refused(
                    key_node.start_mark,
                    _("the key `%(key)s` is given twice in the same place; the first would be lost")
                    % {"key": Shown(key)},
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _StrictPyLoader(_Strict, yaml.SafeLoader):
    """The strict loader on PyYAML's own reader and parser."""


if yaml.__with_libyaml__:

    class _StrictCLoader(
        _Strict,
        yaml.composer.Composer,
        yaml.cyaml.CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """The strict loader on libyaml's reader and parser: four times faster on a
        megabyte of strategy (0.2 s instead of 0.8); PyYAML's composer, which
        does the refusing, runs on its events."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _StrictLoader = _StrictCLoader
else:  # PyYAML built without libyaml
    _StrictLoader = _StrictPyLoader


def _line(mark) -> str:
    return _("line %(line)s") % {"line": mark.line + 1}


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StrategyFileError([Problem(_("the file"), _("the file is UTF-16; save the file as UTF-8"))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StrategyFileError(
            [
                Problem(
                    _("line %(line)s") % {"line": line},
                    _(
                        "a character here is not UTF-8 (perhaps the file was saved as Windows-1252); "
                        "save the file as UTF-8"
                    ),
                )
            ]
        ) from None


def strategy_file_too_large(size: int) -> str | None:
    """Why a file of `size` bytes is refused unread, or None."""
    limit = settings.STRATEGY_UPLOAD_MAX_BYTES
    if size <= limit:
        return None
    return _("The file is larger than %(limit)s, the most a strategy file may be.") % {"limit": filesizeformat(limit)}


def parse_strategy_file(text: str | bytes) -> dict:
    """The cleaned content of a strategy file, or StrategyFileError naming every problem.

    The size limit, the encoding and the loader's refusals come before any work
    that grows with what the file describes."""
    too_large = strategy_file_too_large(len(text) if isinstance(text, bytes) else len(text.encode("utf-8")))
    if too_large:
        raise StrategyFileError([Problem(_("the file"), too_large)])
    text = _decode(text)
    # What YAML does not allow in a file (control characters), found here to name its line.
    unreadable = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if unreadable:
        line = text.count("\n", 0, unreadable.start()) + 1
        raise StrategyFileError(
            [
                Problem(
                    _("line %(line)s") % {"line": line},
                    _("the character %(code)s cannot stand in a YAML file")
                    % {"code": f"U+{ord(unreadable.group()[0]):04X}"},
                )
            ]
        )
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a safe loader that refuses more)
    except _Refused as exc:
        raise StrategyFileError([Problem(_line(exc.problem_mark), exc.message)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = _line(mark) if mark else _("the file")
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit, for [[[[ and {{{{
            raise StrategyFileError([Problem(place, _nested_too_deep())]) from None
        raise StrategyFileError(
            [
                Problem(
                    place,
                    _("not valid YAML (look at the indentation of this line and the one above): %(error)s")
                    % {"error": Shown(getattr(exc, "problem", None) or exc)},
                )
            ]
        ) from None
    return check_strategy_document(document)
