"""Text normalisation shared by header matching and code-list lookup."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from opencc import OpenCC

# Some converters append the pinyin of a character after it: 社區(qū), 類(lèi)別.
# Only lowercase Latin letters (with tone marks) inside brackets straight after a
# CJK character count; `月收入(元)` keeps its bracket because 元 is not pinyin.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+[)）]")
_SPACE = re.compile(r"\s+")


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def strip_pinyin(text: str) -> str:
    return _PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width), pinyin annotations removed, Traditional → Simplified, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_pinyin(text)
    return to_simplified(text).strip()


def normalize_header(text: str) -> str:
    """A header cell as a lookup key: normalised text with all whitespace and line breaks removed."""
    return _SPACE.sub("", normalize_text(text))
