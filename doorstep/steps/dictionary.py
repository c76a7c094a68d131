"""The dictionary step: the data dictionary analysts read beside the analyst database,
written from the comments of the database just published."""

from __future__ import annotations

from pathlib import Path

from doorstep.steps.common import _logger
from foundation.context import RunContext


def dictionary(ctx: RunContext) -> list[Path]:
    """Write `docs/data_dictionary.md` and `.html` from the published analyst database."""
    from warehouse.docs import write_data_dictionary

    paths = list(write_data_dictionary(ctx.settings.analyst_db, ctx.settings.docs))
    _logger().info("Data dictionary written to %s", ctx.settings.docs)
    return paths
