"""The dataset registry: one decorator registers a loader, :func:`load` calls it.

A new dataset is added in one place, its loader::

    from cluster_research.data.registry import dataset

    @dataset("taobao_villages", kind="other", files=("taobao/villages.csv",))
    def load_taobao_villages(root=None):
        ...  # return a tidy pandas.DataFrame

The loader stays callable as before; ``cr.data.load("taobao_villages")`` calls it
with the data directory as ``root`` (when it takes a ``root`` parameter), caches
the table until one of ``files`` (relative to ``data/raw``) changes, and returns a
fresh copy.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from ..errors import DataValidationError
from .manifest import cached_table, resolve_root

__all__ = ["DatasetSpec", "dataset", "dataset_spec", "datasets", "indicator_names", "load",
           "unregister"]

_KINDS = ("panel", "series", "other")


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset.

    Attributes
    ----------
    name : str
        Name given to :func:`load`.
    loader : callable
        Function returning the table; called with ``root=<Path>`` when it has a
        ``root`` parameter, else with no argument.
    kind : {"panel", "series", "other"}
        ``panel``: long region x year x indicator (columns region_code, region,
        year, indicator, value ...); ``series``: hand-collected series (columns
        series, region, year, period, value, qualifier, source_id ...); ``other``.
        :func:`~cluster_research.data.series` accepts panel and series datasets.
    files : tuple of str
        Raw files (relative to ``data/raw``) whose change invalidates the cache;
        empty = the loader caches by itself (or not at all).
    processed : bool
        Written to ``data/processed/`` by ``build_processed``.
    description : str
    """
    name: str
    loader: object
    kind: str = "other"
    files: tuple = ()
    processed: bool = True
    description: str = ""


_REGISTRY: dict[str, DatasetSpec] = {}


def dataset(name: str, *, kind: str = "other", files=(), processed: bool = True,
            description: str = ""):
    """Register the decorated function as the loader of dataset ``name``.

    Parameters
    ----------
    name : str
        Dataset name (lower-case ASCII, digits, ``_``).
    kind : {"panel", "series", "other"}, default "other"
        Table layout (see :class:`DatasetSpec`).
    files : sequence of str, optional
        Raw files relative to ``data/raw`` that stamp the cache.
    processed : bool, default True
        Write the table to ``data/processed/<name>.csv`` in ``build_processed``.
    description : str, optional
        One line for :func:`datasets`; defaults to the loader's docstring summary.

    Returns
    -------
    callable
        A decorator returning the function unchanged.

    Raises
    ------
    DataValidationError
        Bad name or kind, or a name already registered by another function.

    Examples
    --------
    >>> @dataset("demo_table", processed=False)
    ... def load_demo():
    ...     import pandas as pd
    ...     return pd.DataFrame({"x": [1]})
    >>> int(load("demo_table").x.sum())
    1
    >>> unregister("demo_table")
    """
    if not isinstance(name, str) or not name.replace("_", "").isalnum() or not name.isascii() \
            or name != name.lower():
        raise DataValidationError("dataset name must be lower-case ASCII letters, digits, _",
                                  column="name", value=name)
    if kind not in _KINDS:
        raise DataValidationError(f"dataset kind must be one of {_KINDS}", column="kind",
                                  value=kind)

    def register(func):
        old = _REGISTRY.get(name)
        if old is not None and (old.loader.__module__, old.loader.__qualname__) != (
                func.__module__, func.__qualname__):
            raise DataValidationError(
                f"dataset already registered by {old.loader.__module__}."
                f"{old.loader.__qualname__}", column="name", value=name)
        doc = (inspect.getdoc(func) or "").split("\n")[0]
        _REGISTRY[name] = DatasetSpec(name, func, kind, tuple(files), bool(processed),
                                      description or doc)
        return func

    return register


def unregister(name: str) -> None:
    """Remove a dataset from the registry (tests, or a plugin that replaces a loader).

    Raises
    ------
    DataValidationError
        If ``name`` is not registered.

    Examples
    --------
    >>> _ = dataset("tmp_demo")(lambda: None)
    >>> "tmp_demo" in datasets()
    True
    >>> unregister("tmp_demo")
    >>> "tmp_demo" in datasets()
    False
    """
    dataset_spec(name)
    del _REGISTRY[name]


def datasets(*, kind: str | None = None) -> tuple:
    """Return the names of the registered datasets, in registration order.

    Parameters
    ----------
    kind : {"panel", "series", "other"}, optional
        Only datasets of this kind.

    Examples
    --------
    >>> "provincial_panel" in datasets(kind="panel")
    True
    """
    return tuple(n for n, s in _REGISTRY.items() if kind is None or s.kind == kind)


def dataset_spec(name: str) -> DatasetSpec:
    """Return the :class:`DatasetSpec` of a registered dataset.

    Raises
    ------
    DataValidationError
        Unknown name (the message lists the registered ones).

    Examples
    --------
    >>> dataset_spec("provincial_panel").kind
    'panel'
    """
    spec = _REGISTRY.get(name) if isinstance(name, str) else None
    if spec is None:
        raise DataValidationError(f"unknown dataset; choose one of {datasets()}",
                                  column="name", value=name)
    return spec


def _takes_root(loader) -> bool:
    try:
        return "root" in inspect.signature(loader).parameters
    except (TypeError, ValueError):
        return False


def load(name: str, *, root=None):
    """Load a validated dataset as a tidy DataFrame.

    Parameters
    ----------
    name : str
        A registered dataset: "provincial_panel", "provincial_economy",
        "shanghai_ecommerce", "national_ecommerce", "major_cities_gdp", and any
        dataset registered with :func:`dataset` (see :func:`datasets`).

    Returns
    -------
    pandas.DataFrame
        ``provincial_panel`` / ``provincial_economy``: columns region_code,
        region, region_en, year, indicator, indicator_zh, value, unit,
        source_id. ``provincial_panel`` is the full 31 x 2015-2024 x 9 grid
        (2790 rows; the 31 missing 2024 ``ecommerce_firms_share`` cells are
        NaN). ``shanghai_ecommerce`` / ``national_ecommerce``: series, region,
        year, period, value (亿元; percentages unchanged), value_original,
        unit_original, qualifier, source_id, source_title, source_url,
        source_date, notes. ``major_cities_gdp``: city, year, value (亿元),
        unit, source_id. A fresh copy is returned on every call.

    Raises
    ------
    DataValidationError
        Unknown ``name``, changed raw file (sha256 mismatch), or any content
        that fails validation.

    Examples
    --------
    >>> df = load("provincial_panel")
    >>> q = "region == '上海' and year == 2024 and indicator == 'ecommerce_sales'"
    >>> df.query(q).value.item()
    46683.4
    """
    spec = dataset_spec(name)
    r = resolve_root(root)
    if root is not None and spec.loader is not None and not _takes_root(spec.loader):
        raise DataValidationError("this dataset's loader takes no root directory",
                                  column="root", value=str(root))
    build = (lambda: spec.loader(root=r)) if _takes_root(spec.loader) else spec.loader
    return (cached_table(name, r, list(spec.files), build) if spec.files else build()).copy()


def indicator_names(name: str, lang: str = "zh", *, root=None) -> dict:
    """Return ``indicator -> published name`` of a dataset with an ``indicator_zh`` column.

    Parameters
    ----------
    name : str
        ``"provincial_panel"`` or ``"provincial_economy"`` (any dataset with columns
        ``indicator`` and ``indicator_zh``).
    lang : {"zh", "en"}
        ``"zh"``: the NBS name (``indicator_zh``); ``"en"``: the package's identifier.

    Raises
    ------
    DataValidationError
        A dataset without those columns, or another ``lang``.

    Examples
    --------
    >>> indicator_names("provincial_economy")["gdp"]
    '地区生产总值'
    """
    if lang not in ("zh", "en"):
        raise DataValidationError(f"lang must be 'zh' or 'en', got {lang!r}", column="lang",
                                  value=lang)
    df = load(name, root=root)
    if not {"indicator", "indicator_zh"} <= set(df.columns):
        raise DataValidationError(f"dataset {name!r} has no indicator/indicator_zh columns",
                                  column="indicator_zh")
    pairs = df[["indicator", "indicator_zh"]].drop_duplicates("indicator")
    col = "indicator_zh" if lang == "zh" else "indicator"
    return dict(zip(pairs["indicator"], pairs[col]))
