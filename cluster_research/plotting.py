"""Compatibility module: the figures moved to :mod:`cluster_research.viz`.

Examples
--------
>>> import cluster_research as cr
>>> cr.plotting.label("year", "en")
'Year'
"""

from __future__ import annotations

from .viz import (DPI, FIGSIZE, FONT_NAME, LABELS, LANGS, district_map, ecosystem, font_path,
                  growth_fits, label, province_choropleth, provinces, rank_heatmap, save,
                  series_plot, setup, shanghai_districts, stage_timeline)

__all__ = ["DPI", "FIGSIZE", "FONT_NAME", "LABELS", "LANGS", "district_map", "ecosystem",
           "font_path", "growth_fits", "label", "province_choropleth", "provinces",
           "rank_heatmap", "save", "series_plot", "setup", "shanghai_districts",
           "stage_timeline"]
