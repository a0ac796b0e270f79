"""Compatibility module: :func:`fit_panels` moved to :mod:`cluster_research.viz.growth_panels`."""

from __future__ import annotations

from .viz.growth_panels import LABELS, fit_panels

__all__ = ["LABELS", "fit_panels"]
