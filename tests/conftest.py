"""Shared fixtures: the Grunfeld investment data (statsmodels), Baltagi's 10-firm sample, and
``no_kernel`` (a test fails if a notebook kernel is started)."""

from __future__ import annotations

import pytest
from _reference import BALTAGI_FIRMS


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if a kernel is started or papermill asked to execute."""
    import papermill

    from cluster_research.pipeline import runner

    def boom(*a, **k):
        raise AssertionError("a kernel was started despite invalid input")

    monkeypatch.setattr(papermill, "execute_notebook", boom)
    monkeypatch.setattr(runner, "execute", boom)


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
