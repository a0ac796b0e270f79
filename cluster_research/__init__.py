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
    "limits",
    "data",
    "geo",
    "outputs",
    "growth",
    "lifecycle",
    "regression",
    "metrics",
    "claims",
    "viz",
    "pipeline",
    "notebook",
    "schemas",
    "taobao",
)

__all__ = list(_SUBMODULES) + ["ClusterResearchError", "ClusterResearchWarning", "notebook_setup",
                               "__version__"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name == "notebook_setup":
        return importlib.import_module(f"{__name__}.notebook").notebook_setup
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
