"""Strict cell and file parsers shared by every reader of the data layer.

Rules (each one a :class:`~cluster_research.errors.DataValidationError` naming the
file, 1-based line, column and value):

* numbers are ASCII decimals (``[0-9]``, one optional sign, one point, an exponent);
  full-width (１２３) or Arabic-Indic (٣٤٠) digits are rejected, never converted;
* a value is range-checked **after** unit conversion: infinite, or non-zero but
  too small for a normal double (underflow to 0), is an error;
* names (regions, series and indicator ids, units) are normalised to Unicode NFKC
  (full-width Latin ``Ｓｈａｎｇｈａｉ`` -> ``Shanghai``, CJK compatibility ideographs
  -> their unified ideograph) and must not contain invisible characters (format,
  control, private-use or unassigned code points, every Default_Ignorable_Code_Point
  such as U+200B ZERO WIDTH SPACE, U+3164 HANGUL FILLER or the variation selectors
  U+FE00..U+FE0F, U+2800 BRAILLE PATTERN BLANK and spaces other than U+0020 after
  normalisation); the message shows each one by code point and name.

The ``path``, ``row``, ``column`` (and ``value``) arguments of the functions only locate an
error in its message.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
import unicodedata
from decimal import Decimal

from ..errors import DataValidationError
from ..limits import YEARS, formula_like
from . import units

__all__ = ["INT_RE", "NUMBER_RE", "YEAR_MAX", "YEAR_MIN", "bounded", "check_header",
           "check_not_formula", "check_one_dimension", "convert_value", "csv_rows", "decode_utf8",
           "formula_like", "invisible_characters", "normalise_name", "parse_decimal",
           "parse_number", "parse_year", "to_float"]

#: Range of a year in any input (the one range of :data:`cluster_research.limits.YEARS`).
YEAR_MIN, YEAR_MAX = YEARS

#: An ASCII decimal number (no thousands separators, no non-ASCII digits).
NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
#: An ASCII integer.
INT_RE = re.compile(r"^[+-]?[0-9]+$")
_INVISIBLE = frozenset({"Cf", "Cc", "Co", "Cn", "Cs", "Zl", "Zp"})
#: Default_Ignorable_Code_Point ranges of Unicode 15.1 (DerivedCoreProperties.txt,
#: https://www.unicode.org/Public/15.1.0/ucd/DerivedCoreProperties.txt), plus U+2800
#: BRAILLE PATTERN BLANK, which renders as nothing but is a symbol (So).
_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
              (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
              (0x2060, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
              (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
              (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
_TINY = sys.float_info.min  # smallest normal double


def bounded(items, limit: int = 10) -> str:
    """Join the first ``limit`` items (as str): ``"a, b, c"`` or ``"a, ..., j and 5 more"``.

    Examples
    --------
    >>> bounded(range(13))
    '0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 3 more'
    """
    items = [str(i) for i in items]
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def invisible_characters(text: str) -> list[str]:
    """List the invisible characters of ``text`` as ``"U+200B ZERO WIDTH SPACE"``.

    A character is invisible when its Unicode general category is a format (Cf),
    control (Cc), private-use (Co), surrogate (Cs), unassigned (Cn), line- or
    paragraph-separator (Zl, Zp) or a space other than U+0020 (Zs), or when it is a
    Default_Ignorable_Code_Point of Unicode (e.g. U+3164 HANGUL FILLER, U+FE00
    VARIATION SELECTOR-1), or U+2800 BRAILLE PATTERN BLANK.

    Returns
    -------
    list of str
        One entry per distinct invisible character, in order of appearance.

    Examples
    --------
    >>> invisible_characters("上\\u200b海")
    ['U+200B ZERO WIDTH SPACE']
    """
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in dict.fromkeys(text)
            if (cat := unicodedata.category(ch)) in _INVISIBLE or (cat == "Zs" and ch != " ")
            or any(a <= ord(ch) <= b for a, b in _IGNORABLE)]


def normalise_name(text: str, *, path=None, row=None, column="region") -> str:
    """Return a name in Unicode NFKC, stripped; refuse invisible characters.

    NFKC makes look-alike spellings one name: full-width Latin (``Ｓｈａｎｇｈａｉ``),
    CJK compatibility ideographs (U+F9xx/U+FAxx) and compatibility spaces (U+00A0,
    U+3000 become U+0020 and are stripped at the ends). Characters that are invisible
    after normalisation (:func:`invisible_characters`) are refused, so that ``上海``
    followed by a zero-width or filler character never becomes a new region.

    Raises
    ------
    DataValidationError
        Naming each invisible character by code point and name; also for non-ASCII
        digits (a code written ``３１００００`` is refused, as numbers are).

    Examples
    --------
    >>> normalise_name("\uff33\uff48\uff41\uff4e\uff47\uff48\uff41\uff49\u3000")
    'Shanghai'
    >>> normalise_name("上海\u3164")
    Traceback (most recent call last):
    ...
    cluster_research.errors.DataValidationError: column 'region', value '上海\u3164': invisible character(s) in the name: U+3164 HANGUL FILLER; delete them
    """
    norm = unicodedata.normalize("NFKC", text)
    # a compatibility space (U+00A0, U+3000 ...) is a plain space after NFKC, not invisible
    bad = (invisible_characters("".join(c for c in text if unicodedata.normalize("NFKC", c)
                                        != " ")) or invisible_characters(norm))
    if bad:
        raise DataValidationError(
            f"invisible character(s) in the name: {', '.join(bad)}; delete them",
            path=path, row=row, column=column, value=text)
    digits = [c for c in dict.fromkeys(text) if unicodedata.category(c) == "Nd" and not c.isascii()]
    if digits:  # as for numbers: a code in full-width or other digits is not converted
        raise DataValidationError(
            "non-ASCII digit(s) in the name: " + ", ".join(
                f"U+{ord(c):04X} {unicodedata.name(c, '')}" for c in digits)
            + "; write codes with ASCII digits 0-9", path=path, row=row, column=column, value=text)
    return norm.strip()


def check_not_formula(text: str, path, row, column) -> str:
    """Return ``text``, or refuse a cell a spreadsheet would execute as a formula.

    Raises
    ------
    DataValidationError
        For a :func:`formula_like` cell (``=HYPERLINK(...)``, ``@SUM(...)``).

    Examples
    --------
    >>> check_not_formula("国家统计局", "f.csv", 2, "source")
    '国家统计局'
    """
    if formula_like(text):
        raise DataValidationError(
            "text starts with '=', '+', '-', '@' or a tab: a spreadsheet would run it as a "
            "formula (CSV injection); remove the leading character",
            path=path, row=row, column=column, value=text)
    return text


def decode_utf8(data: bytes, path) -> str:
    """Decode file bytes as UTF-8 (an optional BOM is dropped).

    Raises
    ------
    DataValidationError
        Naming the line of the first invalid byte.

    Examples
    --------
    >>> decode_utf8("\\ufeffa,b".encode(), "f.csv")
    'a,b'
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            f"file is not valid UTF-8 (byte {exc.start}); save it as UTF-8", path=path, row=line,
        ) from None


def _not_a_number(text, path, row, column):
    t = text.strip()
    odd = [ch for ch in t if ch.isdigit() and not ("0" <= ch <= "9")]
    if odd:
        names = bounded(dict.fromkeys(f"U+{ord(c):04X} {unicodedata.name(c, '')}" for c in odd))
        why = f"only ASCII digits 0-9 are accepted, found {names}"
    elif invisible_characters(t):
        why = f"invisible character(s) {', '.join(invisible_characters(t))}"
    else:
        why = "expected a decimal such as 1234.5; empty cell = missing"
    return DataValidationError(f"not a number ({why})", path=path, row=row, column=column,
                               value=text)


def parse_decimal(text: str, path, row, column, *, allow_empty=True, allow_negative=False):
    """Parse a decimal cell exactly.

    Parameters
    ----------
    text : str
        Cell as read; surrounding ASCII whitespace is ignored.
    allow_empty : bool, default True
        An empty cell gives None (a missing value).
    allow_negative : bool, default False
        Accept a minus sign (growth rates). Otherwise ``-0`` is rejected too.

    Returns
    -------
    decimal.Decimal or None

    Raises
    ------
    DataValidationError
        Not an ASCII decimal, empty when not allowed, or negative.

    Examples
    --------
    >>> parse_decimal("1.5e3", "f.csv", 2, "value")
    Decimal('1.5E+3')
    """
    t = text.strip()
    if t == "":
        if allow_empty:
            return None
        raise DataValidationError("empty value", path=path, row=row, column=column, value=text)
    if not NUMBER_RE.match(t):
        raise _not_a_number(text, path, row, column)
    dec = Decimal(t)
    if dec.is_signed() and not allow_negative:
        what = "negative zero (-0)" if dec.is_zero() else "negative value"
        raise DataValidationError(what, path=path, row=row, column=column, value=text)
    return dec


def to_float(dec: Decimal, path, row, column, value) -> float:
    """Round an exact decimal to a double, refusing overflow and underflow.

    Raises
    ------
    DataValidationError
        If the double is infinite, or ``dec`` is non-zero but rounds to 0 or to a
        subnormal double (magnitude below 2.2e-308).

    Examples
    --------
    >>> to_float(Decimal("12.5"), "f.csv", 2, "value", "12.5")
    12.5
    """
    f = float(dec)
    if math.isinf(f):
        raise DataValidationError("value out of range (overflows to infinity)",
                                  path=path, row=row, column=column, value=value)
    if not dec.is_zero() and abs(f) < _TINY:
        raise DataValidationError("value out of range (too small: underflows to 0)",
                                  path=path, row=row, column=column, value=value)
    return f


def convert_value(dec: Decimal, unit: str, path, row, column, value) -> float:
    """Convert an amount to the package unit (亿元 for currency) and range-check it.

    ``value_亿元 = dec * f(unit)`` exactly (:func:`~cluster_research.data.units.decimal_to_yi`),
    then :func:`to_float`; non-currency amounts are only range-checked.

    Parameters
    ----------
    unit : str
        A known unit.

    Raises
    ------
    DataValidationError
        If the converted value overflows or underflows.

    Examples
    --------
    >>> convert_value(Decimal("1.2"), "万亿元", "f.csv", 2, "value", "1.2")
    12000.0
    """
    if not units.is_currency(unit):
        return to_float(dec, path, row, column, value)
    yi = units.decimal_to_yi(dec, unit)
    try:
        return to_float(yi, path, row, column, value)
    except DataValidationError as exc:
        raise DataValidationError(f"{exc.message} after conversion from {unit} to 亿元 "
                                  f"({yi:.6g} 亿元)", path=path, row=row, column=column,
                                  value=value) from None


def parse_number(text: str, path, row, column, *, allow_empty=True, allow_negative=False):
    """Parse a decimal cell into a range-checked float; '' gives NaN when allowed.

    Parameters
    ----------
    text, path, row, column, allow_empty, allow_negative
        As for :func:`parse_decimal`.

    Returns
    -------
    tuple of (float, decimal.Decimal or None)
        ``(nan, None)`` for an empty cell.

    Raises
    ------
    DataValidationError
        See :func:`parse_decimal` and :func:`to_float`.

    Examples
    --------
    >>> parse_number("", "f.csv", 2, "value")
    (nan, None)
    """
    dec = parse_decimal(text, path, row, column, allow_empty=allow_empty,
                        allow_negative=allow_negative)
    if dec is None:
        return math.nan, None
    return to_float(dec, path, row, column, text), dec


def parse_year(text: str, path, row, column="year") -> int:
    """Parse an ASCII integer year in :data:`YEAR_MIN` .. :data:`YEAR_MAX`.

    Raises
    ------
    DataValidationError
        Not an ASCII integer, or out of range.

    Examples
    --------
    >>> parse_year(" 2010 ", "f.csv", 2)
    2010
    """
    t = text.strip()
    if not INT_RE.match(t):
        raise DataValidationError("year is not an integer (ASCII digits 0-9)",
                                  path=path, row=row, column=column, value=text)
    y = int(t)
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise DataValidationError(f"year out of range {YEAR_MIN}..{YEAR_MAX}",
                                  path=path, row=row, column=column, value=text)
    return y


def csv_rows(text: str, path):
    """Yield ``(line_number, fields)`` from CSV text.

    Yields
    ------
    tuple of (int, list of str)

    Raises
    ------
    DataValidationError
        For malformed CSV (e.g. an unclosed quote), naming the line.

    Examples
    --------
    >>> list(csv_rows("a,b\\n1,2\\n", "f.csv"))
    [(1, ['a', 'b']), (2, ['1', '2'])]
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for fields in reader:
            yield reader.line_num, fields
    except csv.Error as exc:
        raise DataValidationError(f"malformed CSV: {exc}", path=path, row=reader.line_num) from None


def _check_exact(names, path, expected):
    if names != list(expected):
        missing = [c for c in expected if c not in names]
        extra = [c for c in names if c not in expected]
        raise DataValidationError(
            f"unexpected header {names}; expected {list(expected)}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else ""),
            path=path, row=1, column=(missing or extra or [None])[0])
    return names


def check_header(fields, path, expected=None, required=(), optional=()):
    """Check a header row and return its column names.

    Parameters
    ----------
    fields : list of str
        Header cells.
    expected : list of str, optional
        Exact header (shipped files); else ``required`` and ``optional``
        (case-insensitive, any order; user files).
    required, optional : sequence of str

    Returns
    -------
    list of str
        Names (lower-cased when ``expected`` is None).

    Raises
    ------
    DataValidationError
        Duplicate, missing, unexpected or invisible-character names (row 1).

    Examples
    --------
    >>> check_header(["Region", "year"], "f.csv", required=("region", "year"))
    ['region', 'year']
    """
    names = [normalise_name(f, path=path, row=1, column=f) for f in fields]
    dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if dup is not None:
        raise DataValidationError("duplicate column", path=path, row=1, column=dup)
    if expected is not None:
        return _check_exact(names, path, expected)
    names_l = [n.lower() for n in names]
    if len(set(names_l)) != len(names_l):
        dup = next(n for n in names_l if names_l.count(n) > 1)
        raise DataValidationError("duplicate column (names are case-insensitive)",
                                  path=path, row=1, column=dup)
    for c in required:
        if c not in names_l:
            raise DataValidationError(f"missing required column (required: {list(required)})",
                                      path=path, row=1, column=c)
    for n in names_l:
        if n not in required and n not in optional:
            raise DataValidationError(
                f"unexpected column (allowed: {list(required) + list(optional)})",
                path=path, row=1, column=n)
    return names_l


def check_one_dimension(records, path, label: str) -> None:
    """Check that every key holds values of one dimension and one unconverted unit.

    Currency units are converted to 亿元, so any mix of them is fine; any other
    unit is kept as written, so a key must not mix it with another unit, even of
    the same dimension (人 and 万人 differ by 10^4).

    Parameters
    ----------
    records : iterable of (key, unit, row)
        ``unit`` a normalised unit, ``row`` the 1-based line.
    path : str or Path
        File named in the error.
    label : str
        What a key is ("series", "indicator"), for the message.

    Raises
    ------
    DataValidationError
        Naming the key, each unit group with its dimension and (the first ten)
        rows; ``row`` is the first row of the second group.

    Examples
    --------
    >>> check_one_dimension([("gdp", "亿元", 2), ("gdp", "万亿元", 3)], "f.csv", "series")
    >>> check_one_dimension([("gdp", "亿元", 2), ("gdp", "%", 3)], "f.csv", "series")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cluster_research.errors.DataValidationError: f.csv, row 3, ...: series 'gdp' mixes ...
    """
    groups: dict = {}
    for key, unit, row in records:
        out = "亿元" if units.is_currency(unit) else unit
        groups.setdefault(key, {}).setdefault(out, []).append((unit, row))
    for key, by_unit in groups.items():
        if len(by_unit) < 2:
            continue
        parts = []
        for out, items in by_unit.items():
            names = ", ".join(dict.fromkeys(u for u, _ in items))
            rows = [r for _, r in items]
            word = "row" if len(rows) == 1 else "rows"
            parts.append(f"{units.dimension(out)} ({names}) {word} {bounded(rows)}")
        dims = {units.dimension(out) for out in by_unit}
        why = ("mixes dimensions" if len(dims) > 1 else
               "mixes units that are not converted into one another")
        second = list(by_unit.values())[1][0]
        raise DataValidationError(
            f"{label} {key!r} {why}: {'; '.join(parts)}; one dimension per {label} "
            f"(split it into several {label} ids)",
            path=path, row=second[1], column="unit", value=second[0])
