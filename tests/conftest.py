"""Shared fixtures: the Grunfeld investment data (statsmodels) and Baltagi's 10-firm sample.

The result cache of :mod:`cluster_research.memo` lives in one fresh temporary directory per
test session (shared by the pytest-xdist workers and the notebooks the tests run, removed at
the end): a result the session computes twice is computed once, and no result stored by an
earlier session or by ``make reproduce`` (``outputs/.cache``) is ever read.
``CLUSTER_RESEARCH_CACHE_DIR`` set by the caller (``off`` included) is kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from _reference import BALTAGI_FIRMS

from cluster_research.memo import ENV_CACHE_DIR

_OWN_CACHE = "_CLUSTER_RESEARCH_TEST_CACHE"  # set when this session created the directory


class _SessionCache:
    """Put the session's cache directory back before every test (doctests included: the
    doctest of ``cluster_research.memo`` deletes the variable)."""

    @staticmethod
    def pytest_runtest_setup(item):
        os.environ[ENV_CACHE_DIR] = os.environ[_OWN_CACHE]


def pytest_configure(config):
    # the xdist controller runs first; its workers inherit the environment
    if _OWN_CACHE not in os.environ:
        if hasattr(config, "workerinput") or ENV_CACHE_DIR in os.environ:
            return
        os.environ[ENV_CACHE_DIR] = tempfile.mkdtemp(prefix="cluster_research-test-cache-")
        os.environ[_OWN_CACHE] = os.environ[ENV_CACHE_DIR]
    config.pluginmanager.register(_SessionCache(), "cluster_research_session_cache")


def pytest_unconfigure(config):
    if hasattr(config, "workerinput") or _OWN_CACHE not in os.environ:
        return
    shutil.rmtree(os.environ.pop(_OWN_CACHE), ignore_errors=True)
    os.environ.pop(ENV_CACHE_DIR, None)


@pytest.fixture(scope="session")
def grunfeld():
    """statsmodels' Grunfeld data: 11 firms x 20 years, ``year`` as int."""
    from statsmodels.datasets import grunfeld as gr

    g = gr.load_pandas().data
    return g.assign(year=g["year"].astype(int))


@pytest.fixture(scope="session")
def baltagi(grunfeld):
    """The 10-firm sample of Baltagi's *Econometric Analysis of Panel Data* (no American Steel)."""
    return grunfeld[grunfeld["firm"].isin(BALTAGI_FIRMS)].reset_index(drop=True)


#: The slowest test files (measured with ``--durations``: the stage-model tests, the growth
#: numerics, the site's Sphinx build). ``--dist loadfile`` hands out files with the most tests
#: first, which left these to run alone at the end; they are handed out first instead. Order
#: only: every test still runs, on one worker per file as before.
SLOW_FILES = ("tests/test_stage_model.py", "tests/test_growth_numerics.py", "tests/test_site.py")


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowFilesFirst(LoadFileScheduling):
        _ordered = False

        def _assign_work_unit(self, node):
            if not self._ordered:  # the work queue is complete at the first assignment
                self._ordered = True
                for scope in reversed(SLOW_FILES):
                    if scope in self.workqueue:
                        self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return SlowFilesFirst(config, log)
