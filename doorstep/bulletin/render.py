"""Typeset the bulletin: context → JSON → Typst template → PDF/A-2b.

The Chinese layout and wording are in ``templates/bulletin.typ``; this module only
serialises the context and drives the compiler. The PDF depends on nothing but the
context and the bundled font: no wall-clock time (the document date is the as-of
date), no system fonts, no network (the template imports no packages).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import typst
from noto_cjk_sans_otc import FONT_PATH

from doorstep.bulletin.context import BulletinContext
from doorstep.reference import load_reference

TEMPLATES_DIR = Path(__file__).with_name("templates")
TEMPLATE = TEMPLATES_DIR / "bulletin.typ"
FONT_DIR = Path(FONT_PATH).parent
# PDF/A-2b: fonts embedded, archivable; the bundled CFF font passes Typst's checks.
PDF_STANDARDS: Final = "a-2b"
_FIGURE_ORDER = ("figure", "scope", "station", "category", "measure")


def _plain(value: Any) -> Any:
    """JSON-safe value: ISO dates, NaN as null (DuckDB gives NaN for an empty median)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _labels() -> dict[str, Any]:
    """Code lists the template needs to name category and channel codes."""
    ref = load_reference()
    return {
        "categories": {c.code: c.label for c in ref.categories.values()},
        # F11 is broken down by channel rollup code; a rollup is named by its own code's label.
        "channels": {c.code: c.label for c in ref.channels.values() if c.rollup == c.code},
        # F07 rows carry the event type label; the code order is the order to list them in.
        "event_types": [ref.event_types[code].label for code in sorted(ref.event_types)],
    }


def _cell_key(row: dict[str, Any]) -> str:
    """lib.typ's cell-key: figure|measure|station|category, absent parts empty."""
    parts = (row.get("figure"), row.get("measure"), row.get("station"), row.get("category"))
    return "|".join("" if v is None else str(v) for v in parts)


def _by_cell(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(_cell_key(row), []).append(row)
    return out


def _figure_index(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """The figure rows shaped for lookup before Typst (lib.typ's rows-of and row-of read
    it): by figure, and by cell; each list keeps the rows' published order."""
    by_figure: dict[str, list[dict[str, Any]]] = {}
    for row in figures:
        by_figure.setdefault(str(row["figure"]), []).append(row)
    return {"by_figure": by_figure, "by_cell": _by_cell(figures)}


def bulletin_json(ctx: BulletinContext) -> str:
    """The context as the template reads it: sorted keys, figures in a fixed order."""
    payload = _plain(asdict(ctx))
    payload["figures"] = sorted(
        payload["figures"], key=lambda r: tuple(str(r.get(k) or "") for k in _FIGURE_ORDER)
    )
    return json.dumps(
        {
            "ctx": payload,
            "labels": _labels(),
            "figure_index": _figure_index(payload["figures"]),
            "hidden_index": _by_cell((payload.get("disclosure") or {}).get("hidden_figures", [])),
        },
        ensure_ascii=False,
        sort_keys=True,
        allow_nan=False,
        separators=(",", ":"),
    )


def render_bulletin(ctx: BulletinContext, out: Path) -> Path:
    """Render the bulletin of ``ctx`` to ``out`` (PDF/A-2b, A4) and return ``out``.

    Same context → identical bytes. Raises ``typst.TypstError`` when the template
    cannot be compiled; ``out`` is then left untouched.
    """
    pdf = typst.compile(
        TEMPLATE,
        root=TEMPLATES_DIR,
        font_paths=[FONT_DIR],
        ignore_system_fonts=True,
        sys_inputs={"bulletin": bulletin_json(ctx)},
        pdf_standards=PDF_STANDARDS,
        timestamp=datetime.combine(ctx.as_of, time(), tzinfo=UTC),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a reader never sees half a bulletin.
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def render_pages_png(ctx: BulletinContext, ppi: float = 100) -> list[bytes]:
    """The bulletin's pages as PNG images, for looking at the layout (not published)."""
    pages = typst.compile(
        TEMPLATE,
        root=TEMPLATES_DIR,
        font_paths=[FONT_DIR],
        ignore_system_fonts=True,
        sys_inputs={"bulletin": bulletin_json(ctx)},
        format="png",
        ppi=ppi,
    )
    return [pages] if isinstance(pages, bytes) else list(pages)
