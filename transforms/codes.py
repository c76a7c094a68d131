"""Code-list lookup: a station's cell text → the code of a configured code list.

Cells arrive as a code (`01`, `1`), a label, an alias, a label with a bracketed
explanation (`单位就业(企业吸纳)`), code and label together (`10-单位就业`), in Simplified
or Traditional, with full-width characters or pinyin annotations. Both sides are
normalised the same way; nothing is matched fuzzily — unknown text is None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from foundation.reference import Code
from transforms.text import normalize_header

_TRAILING_BRACKET = re.compile(r"\([^()]*\)$")
_CODE_PREFIX = re.compile(r"^([0-9a-z]{1,3})[-.:、_]*(.+)$")
# List separators stations use between several categories; full-width forms are
# folded to these by NFKC before splitting.
_SEPARATORS = frozenset("、,;/|，；／") | frozenset(" \t\r\n\u3000")
_OPEN, _CLOSE = frozenset("(（[【"), frozenset(")）]】")


def _key(text: str) -> str:
    """NFKC, pinyin stripped, Simplified, no whitespace, case-folded."""
    return normalize_header(text).casefold()


def _numeric_key(key: str) -> str | None:
    return str(int(key)) if key.isdigit() else None


@cache
def _table(codes: tuple[Code, ...]) -> Mapping[str, str]:
    """Every spelling of every code → code. A spelling shared by two codes is dropped."""
    found: dict[str, set[str]] = {}

    def add(spelling: str, code: str) -> None:
        if spelling:
            found.setdefault(spelling, set()).add(code)

    for item in codes:
        add(_key(item.code), item.code)
        add(_numeric_key(_key(item.code)) or "", item.code)
        for name in (item.label, *item.aliases):
            key = _key(name)
            add(key, item.code)
            add(_TRAILING_BRACKET.sub("", key), item.code)
    return {spelling: next(iter(hits)) for spelling, hits in found.items() if len(hits) == 1}


def _lookup_key(key: str, table: Mapping[str, str]) -> str | None:
    if key in table:
        return table[key]
    numeric = _numeric_key(key)
    if numeric is not None:
        return table.get(numeric)
    # A bracketed explanation after a label: `灵活就业(外卖配送)`.
    stripped = _TRAILING_BRACKET.sub("", key)
    if stripped and stripped != key:
        return _lookup_key(stripped, table)
    return None


def lookup_code(text: str | None, codes: Mapping[str, Code]) -> str | None:
    """The code `text` names in `codes` (e.g. `ref.categories`), or None when it names none."""
    if text is None:
        return None
    key = _key(text)
    if not key:
        return None
    table = _table(tuple(codes.values()))
    found = _lookup_key(key, table)
    if found is not None:
        return found
    # `10-单位就业`, `01低收入人口`: accepted only when code and label agree.
    if m := _CODE_PREFIX.match(key):
        by_code = _lookup_key(m.group(1), table)
        by_label = _lookup_key(m.group(2), table)
        if by_code is not None and by_code == by_label:
            return by_code
    return None


def split_categories(text: str | None) -> list[str]:
    """Split a multi-valued cell on 、 , ， ; ； / and spaces (not inside brackets).

    The first item is the primary category. Items are returned as written, trimmed.
    """
    if text is None:
        return []
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        if depth == 0 and char in _SEPARATORS:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]
