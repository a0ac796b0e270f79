"""cluster_research: reproduction and extension of 上海电子商务产业集群推进策略研究.

Submodules are imported lazily, so ``import cluster_research`` stays cheap and
heavy libraries (statsmodels, matplotlib, geopandas) load only when a submodule
that needs them is first used::

    import cluster_research as cr
    cr.data.load("provincial_panel")
"""

from __future__ import annotations

import importlib

from .errors import ClusterResearchError, ClusterResearchWarning

__version__ = "0.2.0"

_SUBMODULES = (
    "errors",
    "data",
    "units",
    "geo",
    "outputs",
    "growth",
    "lifecycle",
    "regression",
    "metrics",
    "claims",
    "viz",
    "pipeline",
    "plotting",
    "plotting_growth",
    "runner",
    "report",
)

__all__ = list(_SUBMODULES) + ["ClusterResearchError", "ClusterResearchWarning", "__version__"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
