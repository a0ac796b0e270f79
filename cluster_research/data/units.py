"""Convert currency amounts to 亿元 (10^8 yuan), the package's one monetary unit.

Every monetary value the package ships or reads is converted here and nowhere
else. Conversion is exact decimal arithmetic (``decimal.Decimal``) so that, for
example, ``897.89 billion yuan`` becomes exactly ``8978.9`` 亿元 and not
``8978.900000000001``.

Factors (to 亿元):

==================  ==========
unit                factor
==================  ==========
亿元                1
万亿元              10 000
千亿元              1 000
百万元 / million    0.01
万元                0.000 1
元                  0.000 000 01
billion yuan        10
trillion yuan       10 000
==================  ==========

Non-currency units that the package recognises (kept as they are, never
converted) are listed in :data:`OTHER_UNITS`. Every known unit has a dimension
(:func:`dimension`): currency, count, percent, percent_change, persons,
households, data_volume, currency_per_person or index; a series or an indicator
holds values of one dimension only.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal, InvalidOperation

from ..errors import ParameterError

__all__ = ["CURRENCY_FACTORS", "DIMENSIONS", "OTHER_UNITS", "SIGNED_UNITS", "decimal_to_yi",
           "dimension", "is_currency", "is_known", "normalize_unit", "to_yi"]


#: Factor that converts one unit to 亿元 (exact decimals).
CURRENCY_FACTORS: dict[str, Decimal] = {
    "亿元": Decimal(1),
    "万亿元": Decimal(10000),
    "千亿元": Decimal(1000),
    "百万元": Decimal("0.01"),
    "万元": Decimal("0.0001"),
    "元": Decimal("0.00000001"),
    "billion yuan": Decimal(10),
    "trillion yuan": Decimal(10000),
    "million yuan": Decimal("0.01"),
}

#: Dimension of every non-currency unit (currency units have dimension "currency").
DIMENSIONS: dict[str, str] = {
    "%": "percent", "% YoY": "percent_change", "个": "count", "台": "count", "家": "count",
    "人": "persons", "万人": "persons", "万户": "households", "万GB": "data_volume",
    "元/人": "currency_per_person", "上年=100": "index",
}

#: Non-currency units recognised in shipped and user files (not converted).
OTHER_UNITS: frozenset[str] = frozenset(DIMENSIONS)

#: Units whose values may legitimately be negative (growth rates).
SIGNED_UNITS: frozenset[str] = frozenset({"% YoY"})

_ENGLISH = {"billion yuan", "trillion yuan", "million yuan"}


def _unknown(unit) -> ParameterError:
    known = ", ".join(sorted(CURRENCY_FACTORS))
    return ParameterError(f"unknown unit {unit!r}; currency units known: {known}")


def normalize_unit(unit: str) -> str:
    """Return the canonical spelling of a unit, or raise ParameterError.

    Surrounding whitespace is stripped, runs of inner whitespace collapse to
    one space, and the English currency units are matched case-insensitively
    (``"Billion Yuan"`` -> ``"billion yuan"``). Nothing else is guessed.

    Returns
    -------
    str
        A key of :data:`CURRENCY_FACTORS` or a member of :data:`OTHER_UNITS`.

    Raises
    ------
    ParameterError
        If ``unit`` is not a string or not a known unit.

    Examples
    --------
    >>> normalize_unit(" Trillion  yuan ")
    'trillion yuan'
    """
    if not isinstance(unit, str):
        raise ParameterError(f"unit must be a string, got {unit!r}")
    u = " ".join(unit.split())
    if u.lower() in _ENGLISH:
        return u.lower()
    if u in CURRENCY_FACTORS or u in OTHER_UNITS:
        return u
    if u.upper() == "% YOY":
        return "% YoY"
    raise _unknown(unit)


def dimension(unit: str) -> str:
    """Return the physical dimension of a unit (what its values measure).

    Two units of the same dimension measure the same kind of quantity; only
    currency units are converted to a common unit (亿元), so the others must
    also agree in scale (万人 and 人 are both ``"persons"`` but not
    interchangeable without conversion).

    Returns ``"currency"`` for every key of :data:`CURRENCY_FACTORS`, else the value of
    :data:`DIMENSIONS`; raises ParameterError for a unit :func:`normalize_unit` does not know.

    Examples
    --------
    >>> dimension("billion yuan"), dimension("个"), dimension("%"), dimension("万户")
    ('currency', 'count', 'percent', 'households')
    """
    u = normalize_unit(unit)
    return "currency" if u in CURRENCY_FACTORS else DIMENSIONS[u]


def is_currency(unit: str) -> bool:
    """Return True if ``unit`` is a known currency unit (convertible to 亿元).

    Examples
    --------
    >>> is_currency("万元"), is_currency("%")
    (True, False)
    """
    try:
        return normalize_unit(unit) in CURRENCY_FACTORS
    except ParameterError:
        return False


def is_known(unit: str) -> bool:
    """Return True if ``unit`` is a currency unit or one of :data:`OTHER_UNITS`.

    Examples
    --------
    >>> is_known("万户"), is_known("furlongs")
    (True, False)
    """
    try:
        normalize_unit(unit)
    except ParameterError:
        return False
    return True


def decimal_to_yi(value: Decimal, unit: str) -> Decimal:
    """Convert an exact decimal amount in ``unit`` to 亿元 exactly: ``value * factor(unit)``.

    Raises ParameterError if ``unit`` is not a currency unit of :data:`CURRENCY_FACTORS`.

    Examples
    --------
    >>> decimal_to_yi(Decimal("897.89"), "billion yuan")
    Decimal('8978.90')
    """
    u = normalize_unit(unit)
    if u not in CURRENCY_FACTORS:
        raise ParameterError(f"unit {unit!r} is not a currency unit and cannot be converted to 亿元")
    return value * CURRENCY_FACTORS[u]


def to_yi(value, unit: str) -> float:
    """Convert a monetary amount to 亿元 (hundred million yuan).

    The formula is ``value_亿元 = value * f(unit)`` with the exact factors of
    :data:`CURRENCY_FACTORS` (e.g. f(万亿元) = 10^4, f(billion yuan) = 10,
    f(万元) = 10^-4). The product is computed in decimal arithmetic from the
    shortest repr of ``value`` and rounded once to the nearest float.

    Parameters
    ----------
    value : int, float, decimal.Decimal or numeric str
        Amount in ``unit``. NaN passes through as NaN.
    unit : str
        A key of :data:`CURRENCY_FACTORS` (English case-insensitive).

    Raises
    ------
    ParameterError
        If ``unit`` is unknown or not a currency unit (the message names it), or ``value`` is
        not a real number (``bool`` is rejected), not a decimal number or infinite.

    References
    ----------
    Chinese numeral units: 万 = 10^4, 亿 = 10^8, 万亿 = 10^12.

    Examples
    --------
    >>> to_yi(4.5, "trillion yuan")
    45000.0
    >>> to_yi(1.2, "万亿元")
    12000.0
    >>> to_yi(230, "billion yuan")
    2300.0
    """
    if isinstance(value, bool):
        raise ParameterError(f"value must be a real number, got {value!r}")
    if isinstance(value, str):
        try:
            dec = Decimal(value.strip())
        except InvalidOperation:
            raise ParameterError(f"value {value!r} is not a decimal number") from None
    elif isinstance(value, Decimal):
        dec = value
    elif isinstance(value, numbers.Real):
        fv = float(value)
        if math.isnan(fv):
            if normalize_unit(unit) not in CURRENCY_FACTORS:
                raise ParameterError(f"unit {unit!r} is not a currency unit")
            return math.nan
        dec = Decimal(int(value)) if isinstance(value, numbers.Integral) else Decimal(repr(fv))
    else:
        raise ParameterError(f"value must be a real number, got {type(value).__name__}")
    if dec.is_nan():
        return to_yi(math.nan, unit)
    if dec.is_infinite():
        raise ParameterError(f"value {value!r} is infinite")
    return float(decimal_to_yi(dec, unit))
