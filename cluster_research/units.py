"""Unit conversion, kept importable as ``cluster_research.units``.

The module lives in :mod:`cluster_research.data.units`; this name re-exports it
(``from cluster_research import units`` and ``cr.units`` keep working).
"""

from .data.units import (  # noqa: F401  (re-exported)
    CURRENCY_FACTORS,
    DIMENSIONS,
    OTHER_UNITS,
    SIGNED_UNITS,
    UnitError,
    UnitTypeError,
    UnitValueError,
    __all__,
    decimal_to_yi,
    dimension,
    is_currency,
    is_known,
    normalize_unit,
    to_yi,
)
