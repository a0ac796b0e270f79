"""Figures and maps of the notebooks (one style, zh/en labels, deterministic files).

Submodules: :mod:`~cluster_research.viz.style` (font, labels, :func:`setup`, :func:`save`),
:mod:`~cluster_research.viz.maps` (Shanghai districts, province choropleths),
:mod:`~cluster_research.viz.figures` (ecosystem, rank heatmap, series, growth fits, stage
timeline), :mod:`~cluster_research.viz.growth_panels` (fits with the observations not fitted).

Examples
--------
>>> import cluster_research as cr
>>> cr.viz.label("year", "en")
'Year'
"""

from __future__ import annotations

from ..geo import provinces, shanghai_districts
from .figures import STAGE_COLOURS, ecosystem, growth_fits, rank_heatmap, series_plot, stage_timeline
from .growth_panels import fit_panels
from .maps import district_map, province_choropleth
from .style import (DPI, FIGSIZE, FONT_NAME, LABELS, LANGS, PlotError, UnknownLabelError,
                    check_lang, font_path, label, save, setup)

__all__ = ["DPI", "FIGSIZE", "FONT_NAME", "LABELS", "LANGS", "PlotError", "STAGE_COLOURS",
           "UnknownLabelError", "check_lang", "district_map", "ecosystem", "fit_panels",
           "font_path", "growth_fits", "label", "province_choropleth", "provinces",
           "rank_heatmap", "save", "series_plot", "setup", "shanghai_districts",
           "stage_timeline"]
