"""Exceptions and warnings of :mod:`cluster_research`, in one module.

Every exception the package raises derives from :class:`ClusterResearchError`, so a caller
can catch all of them with one clause, and from the built-in class that describes it. Most are
one of three: :class:`ParameterError` (a ``ValueError``: an argument or parameter a function
cannot use), :class:`MissingColumnError` (a ``KeyError``: an absent column or key) and
:class:`DataValidationError` (data at fault, naming file, row, column and value). As in
statsmodels, another class exists only where these say too little (the place errors carry
suggestions and provinces; a failed run carries the failures, an incomplete reproduction its
problems).

Examples
--------
>>> import cluster_research as cr
>>> issubclass(cr.data.DataValidationError, cr.ClusterResearchError)
True
"""

from __future__ import annotations


class ClusterResearchError(Exception):
    """Base of every exception raised by cluster_research."""


class ClusterResearchWarning(UserWarning):
    """Base of every warning issued by cluster_research."""


class ParameterError(ClusterResearchError, ValueError):
    """An argument or notebook parameter is unknown, has the wrong type or a value (data
    included) the function cannot use; the message names it (option, region, year, column)."""


class MissingColumnError(ParameterError, KeyError):
    """A column, or another named key (claim id, figure label), is absent; ``missing`` lists them.

    Examples
    --------
    >>> str(MissingColumnError(["kapital"], ["value", "year"]))
    "column(s) not found in the data: 'kapital' (available: value, year)"
    """

    def __init__(self, missing, available=None, what="column(s) not found in the data"):
        self.missing = list(missing)
        self.available = None if available is None else [str(a) for a in available]
        self.what = what
        msg = f"{what}: {', '.join(map(repr, self.missing))}"
        if available is not None:
            msg += f" (available: {', '.join(self.available)})"
        super().__init__(msg)

    def __str__(self):  # KeyError would otherwise repr() the message
        return self.args[0]

    def __reduce__(self):
        return (type(self), (self.missing, self.available, self.what))


def _rebuild_error(message, path, row, column, value):
    return DataValidationError(message, path=path, row=row, column=column, value=value)


class DataValidationError(ClusterResearchError, ValueError):
    """Raised when a data file or table fails validation.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str or Path, optional
        File at fault.
    row : int, optional
        1-based line number in the file (the header is line 1).
    column : str, optional
        Column at fault.
    value : object, optional
        Offending value as read.

    Attributes
    ----------
    path, row, column, value
        As given (None when not applicable); ``str(err)`` names all of them.

    Examples
    --------
    >>> err = DataValidationError("not a number", path="x.csv", row=3, column="value", value="abc")
    >>> str(err)
    "x.csv, row 3, column 'value', value 'abc': not a number"
    """

    def __init__(self, message, *, path=None, row=None, column=None, value=None):
        self.message = message
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.value = value
        loc = []
        if self.path is not None:
            loc.append(self.path)
        if row is not None:
            loc.append(f"row {row}")
        if column is not None:
            loc.append(f"column {column!r}")
        if value is not None:
            loc.append(f"value {value!r}")
        super().__init__(f"{', '.join(loc)}: {message}" if loc else message)

    def __reduce__(self):
        return (_rebuild_error, (self.message, self.path, self.row, self.column, self.value))


def _rebuild_place_error(cls, message, kwargs):
    return cls(message, **kwargs)


class UnknownPlaceError(DataValidationError):
    """Raise for a name that is neither a provincial-level region nor a city or county of the
    Taobao-village lists; the message names the parameter and value and suggests the closest
    names (``suggestions``: their labels, e.g. ``金华市 (city, 浙江省)``)."""

    def __init__(self, message, *, name=None, parameter="region", suggestions=(), **kw):
        self.name = name
        self.parameter = parameter
        self.suggestions = list(suggestions)
        super().__init__(message, **kw)

    def __reduce__(self):  # keyword-only arguments: keep them through pickling
        return (_rebuild_place_error, (type(self), self.message, dict(
            name=self.name, parameter=self.parameter, suggestions=self.suggestions,
            path=self.path, row=self.row, column=self.column, value=self.value)))


class ProvincialDataError(DataValidationError):
    """Raise for a city or county given where province-level data is needed (an NBS provincial
    series); the message names the place, its province and what accepts cities.

    Attributes ``name`` (as given), ``parameter``, ``place`` (canonical name), ``kind``
    (city | county) and ``province`` (full name, e.g. 浙江省).
    """

    def __init__(self, message, *, name=None, parameter="region", place=None, kind=None,
                 province=None, **kw):
        self.name = name
        self.parameter = parameter
        self.place = place
        self.kind = kind
        self.province = province
        super().__init__(message, **kw)

    def __reduce__(self):
        return (_rebuild_place_error, (type(self), self.message, dict(
            name=self.name, parameter=self.parameter, place=self.place, kind=self.kind,
            province=self.province, path=self.path, row=self.row, column=self.column,
            value=self.value)))


class CollinearityWarning(ClusterResearchWarning):
    """Warn that a design is ill-conditioned (scaled condition number above the threshold)."""


class ImplausibleValueWarning(ClusterResearchWarning):
    """Warn that a value of a user's file is far above any value of its unit in the package's
    data (likely a wrong unit, e.g. 万元 written as 亿元); the message gives the factor."""


class UnknownPlaceWarning(ClusterResearchWarning):
    """Warn that a name in a user's file is neither a province nor a city of the Taobao-village
    lists (kept as written) while a known name is close (the message suggests it)."""


# ------------------------------------------------------------------- runs and the report

class RunFailedError(ClusterResearchError, RuntimeError):
    """Raise when runs of a reproduction failed; ``failures`` maps run name -> error text."""

    def __init__(self, message, failures=None):
        self.failures = dict(failures or {})
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (self.args[0], self.failures))


class ReproductionLockedError(ClusterResearchError, RuntimeError):
    """Raise when another reproduction holds the lock of the same outputs directory."""


class ReportError(ClusterResearchError, ValueError):
    """Raise for a malformed report index or a missing outputs directory."""


class ReportIncompleteError(ReportError):
    """Raise when the reproduction is incomplete (missing, failed or stale runs)."""

    def __init__(self, message, problems=None):
        self.problems = list(problems or [])
        super().__init__(message)


class ParameterWarning(ClusterResearchWarning):
    """Warn about a parameter value the notebook accepts but labels (e.g. a year without data)."""
