"""Shared fixtures: the Grunfeld investment data (statsmodels) and Baltagi's 10-firm sample."""

from __future__ import annotations

import pytest
from _reference import BALTAGI_FIRMS


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
