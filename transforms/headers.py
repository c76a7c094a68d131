"""Header mapping: the header cells of a sheet as stations write them → canonical fields.

Pure functions over the header aliases of the field registry
(`foundation/reference/fields.csv`). Matching is done on a lookup key (see `header_key`),
so the alias lists only hold real synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from transforms.text import normalize_header

# NFKC already turns （） into (); these are the other bracket shapes seen in forms.
_BRACKETS = str.maketrans(
    {
        "[": "(",
        "]": ")",
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "〖": "(",
        "〗": ")",
        "﹙": "(",
        "﹚": ")",
        "{": "(",
        "}": ")",
    }
)
# Templates mark required columns with a star; cover keys often end with a colon.
_DECORATION = re.compile(r"^[*※★]+|[*※★:]+$")
_BRACKETED = re.compile(r"\([^()]*\)")


class HeaderReference(Protocol):
    """What header mapping needs of `foundation.reference.Reference`."""

    @property
    def headers(self) -> Mapping[str, Mapping[str, list[str]]]: ...

    @property
    def required(self) -> Mapping[str, list[str]]: ...


def header_key(text: str | None) -> str:
    """A header cell as a lookup key: normalised, brackets unified, star/colon marks removed."""
    if text is None:
        return ""
    key = normalize_header(str(text)).translate(_BRACKETS)
    return _DECORATION.sub("", key)


def _unbracketed(key: str) -> str:
    """`带动就业人数(人)` → `带动就业人数`: a unit in brackets the alias list does not carry."""
    return _BRACKETED.sub("", key)


@cache
def _alias_index(items: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for field_name, aliases in items:
        for alias in aliases:
            # The first field listing an alias wins; registry order is the tie-break.
            index.setdefault(header_key(alias), field_name)
    return index


def alias_index(sheet: str, ref: HeaderReference) -> dict[str, str]:
    """Lookup key → canonical field for one sheet."""
    fields = ref.headers.get(sheet, {})
    items = tuple((name, tuple(aliases)) for name, aliases in fields.items())
    return _alias_index(items)


def match_header(sheet: str, text: str | None, ref: HeaderReference) -> str | None:
    """The canonical field a header cell names, or None."""
    key = header_key(text)
    if not key:
        return None
    index = alias_index(sheet, ref)
    if key in index:
        return index[key]
    bare = _unbracketed(key)
    return index.get(bare) if bare and bare != key else None


def canonical_label(sheet: str, field_name: str, ref: HeaderReference) -> str:
    """The template's Chinese header for a field (its first header in the field registry)."""
    aliases = ref.headers.get(sheet, {}).get(field_name) or [field_name]
    return aliases[0]


@dataclass(frozen=True)
class HeaderMap:
    sheet: str
    fields: dict[int, str]  # column index → canonical field (first column wins)
    unknown: dict[int, str]  # column index → header as written, for columns kept in `extra`
    duplicates: tuple[int, ...] = ()  # columns naming a field an earlier column already has
    missing: tuple[str, ...] = field(default=())  # required fields no column provides

    @property
    def matched(self) -> int:
        return len(self.fields)


def map_headers(sheet: str, cells: Sequence[str | None], ref: HeaderReference) -> HeaderMap:
    """Map one header row. Blank header cells are neither fields nor unknown columns."""
    fields: dict[int, str] = {}
    unknown: dict[int, str] = {}
    duplicates: list[int] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        name = match_header(sheet, cell, ref)
        if name is None:
            unknown[index] = str(cell)
        elif name in seen:
            unknown[index] = str(cell)
            duplicates.append(index)
        else:
            fields[index] = name
            seen.add(name)
    missing = tuple(f for f in ref.required.get(sheet, []) if f not in seen)
    return HeaderMap(sheet, fields, unknown, tuple(duplicates), missing)
