"""Figures and maps of the notebooks (one style, zh/en labels, deterministic files).

Submodules: :mod:`~cluster_research.viz.style` (font, labels, :func:`setup`, :func:`save`),
:mod:`~cluster_research.viz.maps` (Shanghai districts, province choropleths),
:mod:`~cluster_research.viz.figures` (ecosystem, rank heatmap, series, growth fits, stage
timeline), :mod:`~cluster_research.viz.growth_panels` (fits with the observations not fitted),
:mod:`~cluster_research.viz.comparison` (growth indices, region lines, concentration,
coefficients with the key of the specifications). Every figure function takes ``lang``,
"zh" or "en" (the language of every word drawn); another value raises ParameterError.

Examples
--------
>>> import cluster_research as cr
>>> cr.viz.label("year", "en")
'Year'
"""

from __future__ import annotations

from ..geo import provinces, shanghai_districts
from .figures import STAGE_COLOURS, ecosystem, growth_fits, rank_heatmap, series_plot, stage_timeline
from .comparison import coefficient_plot, concentration_panels, index_plot, region_lines
from .growth_panels import fit_panels
from .maps import district_map, province_choropleth
from .style import (DPI, FALLBACK_NAME, FIGSIZE, FONT_NAME, LABELS, LANGS, METHOD_NAMES,
                    MODEL_NAMES, band_label, check_lang, font_path, label, method_label,
                    model_label, save, setup, source_note)

__all__ = ["DPI", "FALLBACK_NAME", "FIGSIZE", "FONT_NAME", "LABELS", "LANGS", "METHOD_NAMES",
           "MODEL_NAMES", "method_label", "STAGE_COLOURS", "band_label", "check_lang",
           "coefficient_plot", "concentration_panels", "district_map", "ecosystem", "fit_panels",
           "font_path", "growth_fits", "index_plot", "label", "model_label", "province_choropleth",
           "provinces", "rank_heatmap", "region_lines", "save", "series_plot", "setup",
           "shanghai_districts", "source_note", "stage_timeline"]
