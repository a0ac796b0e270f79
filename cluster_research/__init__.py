"""cluster_research: reproduction and extension of 上海电子商务产业集群推进策略研究.

Submodules are imported lazily, so ``import cluster_research`` stays cheap and
heavy libraries (statsmodels, matplotlib, geopandas) load only when a submodule
that needs them is first used::

    import cluster_research as cr
    cr.data.load("provincial_panel")
"""

from __future__ import annotations

import importlib
import os

# One BLAS thread.  The package's matrices are small (tens of parameters): extra BLAS threads
# only spin against each other and against the notebook and test processes (a 31-parameter
# least-squares fit took 2-4 s instead of 0.08 s on a busy 2-core machine), and a thread count
# that follows the machine's cores changes the order of floating-point sums, so results would
# depend on the machine.  The variables cover BLAS libraries loaded later; threadpoolctl limits
# the ones already loaded (numpy's and scipy's, imported here for that).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy  # noqa: E402
import scipy.linalg  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(1, user_api="blas")

from .errors import ClusterResearchError, ClusterResearchWarning  # noqa: E402

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
