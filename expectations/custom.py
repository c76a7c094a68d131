"""Custom GX expectations for Chinese registry numbers, checked with python-stdnum.

Importing this module registers the metrics and expectations with GX.

Only non-personal numbers go through these: the unified social credit code of a
business (GB 32100). ID numbers are personal, so their checks are computed before
GX sees the frame (see `expectations.derived`).
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from stdnum.cn import uscc


def _valid_uscc(value: object) -> bool:
    # stdnum accepts lower case and separators; the bureau's template wants the printed form.
    text = str(value)
    return len(text) == 18 and text == text.upper() and uscc.is_valid(text)


class ColumnValuesValidUscc(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_cn_uscc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: object) -> pd.Series:
        return column.map(_valid_uscc).astype(bool)


class ExpectColumnValuesToBeValidCnUscc(ColumnMapExpectation):
    """Expect 18-character unified social credit codes with a valid check character (GB 32100)."""

    map_metric = "column_values.valid_cn_uscc"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)
