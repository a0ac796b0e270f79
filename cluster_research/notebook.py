"""Display settings shared by every notebook (the first code cell after ``parameters``).

Stored notebook outputs are compared by nbval, so every notebook must print numbers,
tables and figures the same way. :func:`notebook_setup` applies those settings in one
call instead of an 18-line cell copied into each notebook.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import viz

try:  # IPython is present wherever a notebook runs; scripts and tests may lack it
    from IPython import get_ipython
except ImportError:  # pragma: no cover - IPython is a dependency of the dev extras
    get_ipython = None

__all__ = ["PANDAS_OPTIONS", "notebook_setup"]

#: pandas display options set by :func:`notebook_setup` (option name → value).
PANDAS_OPTIONS = {
    "display.precision": 3,
    "display.width": 120,
    "display.max_columns": 20,
    "display.max_colwidth": 60,
}


def notebook_setup(*, inline: bool = True) -> None:
    """Apply the display settings that keep stored notebook outputs stable and readable.

    Sets the pandas display options in :data:`PANDAS_OPTIONS`, prints numpy arrays with
    4 decimals and no scientific notation for small numbers, silences
    ``DeprecationWarning`` and ``FutureWarning`` (their text names library versions and
    line numbers, which would make outputs volatile), applies the package's matplotlib
    style (:func:`cluster_research.viz.setup`: fonts with CJK glyphs, figure size)
    and, inside IPython, selects the ``inline`` matplotlib backend.

    Parameters
    ----------
    inline : bool, default True
        Run ``%matplotlib inline`` when called from an IPython kernel. Ignored outside
        IPython (scripts, tests).

    Returns
    -------
    None
        Nothing, so the setup cell shows no output; the options applied are
        :data:`PANDAS_OPTIONS` plus ``numpy.set_printoptions(precision=4, suppress=True)``.

    Examples
    --------
    >>> import cluster_research as cr
    >>> cr.notebook_setup()
    >>> import pandas as pd
    >>> pd.get_option("display.precision")
    3
    """
    shell = get_ipython() if (inline and get_ipython is not None) else None
    if shell is not None and hasattr(shell, "run_line_magic"):
        shell.run_line_magic("matplotlib", "inline")
    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)
    np.set_printoptions(precision=4, suppress=True)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    viz.setup()
