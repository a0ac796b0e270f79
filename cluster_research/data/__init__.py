"""Load, validate and describe the package's sourced data.

Every table comes from a file in ``data/raw/`` whose sha256 is listed in
``data/raw/MANIFEST.sha256``; the bytes are hashed each time a file is parsed
(parsed tables are cached per process and re-read when the file changes), so
a changed raw file raises :class:`DataValidationError` naming the file and
both hashes. Nothing is interpolated, filled in or silently dropped: a gap is
a row whose ``value`` is NaN, and :func:`coverage` lists the gaps. In every module of
this package, ``root`` is the data directory (default :func:`data_dir`; tests pass copies).

Datasets (see ``data/README.md`` for the full dictionary; :func:`datasets` lists
the registered ones, and a new one is added with the
:func:`~cluster_research.data.registry.dataset` decorator):

``provincial_panel``
    NBS 企业信息化及电子商务情况 / 互联网主要指标发展情况, 31 provinces, 2015-2024.
``provincial_economy``
    NBS 分省年度数据 exports: GDP and value added 2019-2024, GDP index and
    retail sales 2016-2024, population 2024.
``shanghai_ecommerce`` / ``national_ecommerce``
    Hand-collected published figures, one row per value read, with qualifier
    (exact | approx | lower_bound | target) and source.
``major_cities_gdp``
    NBS 主要城市年度数据: GDP of 36 major cities, 1999-2017 (mid-2019 vintage).
``taobao_villages`` / ``taobao_towns`` / ``taobao_counts`` / ``taobao_corrections``
    AliResearch's Taobao-village lists 2014-2016 (:mod:`.taobao`).
``taobao_counts_reported`` / ``taobao_reported_checks``
    Taobao village / town counts 2015-2022 read on public pages, with their quotes, and
    their check against the lists (:mod:`.taobao_reported`).
``city_ecommerce_reported``
    City e-commerce figures 2004-2023 read on public pages (Beijing's online retail sales,
    0-2 figures for other cities), cells as written and what is read from them
    (:mod:`.city_reported`).

Modules: :mod:`.registry` (``dataset``, ``load``),
:mod:`.manifest` (paths, checksums, ``sources``), :mod:`.nbs`, :mod:`.hand_collected`,
:mod:`.cities`, :mod:`.user` (``read_csv``, ``check_series``), :mod:`.series`,
:mod:`.units`, :mod:`.parsing` (strict cell parsers), :mod:`.processed`, :mod:`.places`
(the one place resolver: the 31 provinces and their codes, any city / county of GB/T 2260,
what the package has for it, suggestions for an unknown name), :mod:`.taobao`,
:mod:`.taobao_reported`, :mod:`.city_reported`.
"""

from __future__ import annotations

from ..errors import DataValidationError

# The dataset modules register their loaders on import, in this order (= datasets()).
from .nbs import (CROSSCHECK_FILES, ECONOMY_FILES, ECONOMY_INDICATORS,  # isort: skip
                  PANEL_COLUMNS, PANEL_INDICATORS, NBSExport, parse_nbs_export)
from .hand_collected import HC_REGIONS, QUALIFIERS, SERIES_COLUMNS  # isort: skip
from .cities import CITY_COLUMNS  # isort: skip
from . import taobao  # isort: skip  (registers taobao_villages, _towns, _counts, _corrections)
from . import taobao_reported  # isort: skip  (taobao_counts_reported, _reported_checks)
from . import city_reported  # isort: skip  (city_ecommerce_reported)
from . import places, units
from .manifest import (
    data_dir,
    processed_dir,
    read_manifest,
    sources,
    verify_manifest,
    verify_processed,
)
from .parsing import YEAR_MAX, YEAR_MIN
from .places import find_region, region_code, region_name, regions
from .processed import build_processed, main
from .registry import dataset, dataset_spec, datasets, indicator_names, load
from .series import SECONDARY_SOURCES, breaks, check_years, coverage, series, shanghai_transactions
from .user import check_series, read_csv

#: Names of the datasets registered when the package was imported (see :func:`datasets`
#: for the live list, which also holds datasets registered later).
DATASETS = datasets()

__all__ = [
    "CITY_COLUMNS", "CROSSCHECK_FILES", "DATASETS", "ECONOMY_FILES", "ECONOMY_INDICATORS",
    "HC_REGIONS", "PANEL_COLUMNS", "PANEL_INDICATORS", "QUALIFIERS", "SECONDARY_SOURCES",
    "SERIES_COLUMNS", "YEAR_MAX", "YEAR_MIN", "DataValidationError", "NBSExport", "breaks",
    "build_processed", "check_years", "check_series", "coverage", "data_dir", "dataset",
    "dataset_spec", "datasets", "find_region", "indicator_names", "load", "main",
    "parse_nbs_export", "places", "processed_dir", "read_csv", "read_manifest", "region_code",
    "region_name", "regions", "series", "shanghai_transactions", "sources", "units",
    "verify_manifest", "verify_processed",
]
