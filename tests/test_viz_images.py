"""Image regression tests of the key figures against PNG baselines in ``tests/baseline/``.

Each figure is rendered at 60 dpi and compared with its committed baseline by
:func:`matplotlib.testing.compare.compare_images` (matplotlib's public image comparison: the
RMS difference of the two images' pixel values, 0-255 scale). This is the comparison that
pytest-mpl makes; written on it directly, the tests compare on every run, with no plugin and
no ``--mpl`` flag.

Tolerance: ``TOL = 0.5`` (RMS, 0-255). With the pinned matplotlib/freetype/mplfonts the
rendering is bit-identical (measured RMS 0.0 run to run); 0.5 leaves room only for
anti-aliasing noise of a patch-level freetype or numpy. Real changes of what is drawn give
much more (measured against these baselines): series values x 1.1: 6.2; district map with
4 of the 5 districts: 8.1; choropleth values x 1.1 (colour bar ticks move): 13.7; one
province (Beijing) missing from the choropleth: 2.0 - the smallest change measured, which a
tolerance of 2 would have let through. Values themselves are checked exactly in
``test_viz_data.py``; these tests catch what that cannot see (layout, labels, fonts,
colours, the inset).

Regenerate the baselines after an intended change of a figure with::

    CLUSTER_RESEARCH_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/test_viz_images.py

then look at every changed PNG before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.testing.compare import compare_images

import cluster_research as cr
from cluster_research.lifecycle import Stage

BASELINE = Path(__file__).parent / "baseline"
DPI = 60
TOL = 0.5
UPDATE = os.environ.get("CLUSTER_RESEARCH_UPDATE_BASELINES") == "1"


def _shanghai_volume():
    d = cr.data.load("shanghai_ecommerce")
    return d[(d["series"] == "ecommerce_transaction_volume") & (d["period"] == "FY")]


def _district_map():
    return cr.viz.district_map(["嘉定", "普陀", "宝山", "徐汇", "浦东新区"])


def _series_plot():
    return cr.viz.series_plot(_shanghai_volume(), lang="zh", title="上海电子商务交易额")


def _stage_timeline():
    # an illustrative table (not a classification of any data): every stage and a gap
    stages = [Stage.EMBRYONIC, Stage.GROWTH, Stage.EXPANSION, Stage.TAKEOFF, None]
    rows = [{"year": 2004 + j, "method": m, "stage": stages[min(j // 2 + k, 4)]}
            for k, m in enumerate(["示例 A", "示例 B", "示例 C"]) for j in range(9)]
    return cr.viz.stage_timeline(pd.DataFrame(rows), lang="zh", observed=[2004, 2006, 2008, 2011])


def _province_choropleth():
    p = cr.data.load("provincial_panel")
    sub = p[(p["indicator"] == "ecommerce_sales") & (p["year"] == 2020)]
    return cr.viz.province_choropleth(sub.set_index("region_code")["value"], lang="zh",
                                      title="电子商务销售额 2020", legend_label="亿元",
                                      highlight="上海")


FIGURES = {"district_map": _district_map, "series_plot": _series_plot,
           "stage_timeline": _stage_timeline, "province_choropleth": _province_choropleth}


def _render(build, path: Path) -> None:
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        fig = build()
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
        plt.close(fig)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_matches_baseline(name, tmp_path):
    expected = BASELINE / f"{name}.png"
    if UPDATE:
        BASELINE.mkdir(exist_ok=True)
        _render(FIGURES[name], expected)
        pytest.skip(f"baseline {expected.name} written")
    assert expected.exists(), (f"no baseline {expected}; create it with "
                               "CLUSTER_RESEARCH_UPDATE_BASELINES=1")
    actual = tmp_path / f"{name}.png"
    _render(FIGURES[name], actual)
    err = compare_images(str(expected), str(actual), tol=TOL, in_decorator=True)
    assert err is None, (f"{name}: RMS {err['rms']:.2f} > {TOL}; diff image {err['diff']}")


def test_tolerance_catches_a_1_1_scaling(tmp_path):
    """Negative control: the series plot with every value x 1.1 must differ from the baseline."""
    df = _shanghai_volume()
    df = df.assign(value=df["value"] * 1.1)
    actual = tmp_path / "series_plot.png"
    _render(lambda: cr.viz.series_plot(df, lang="zh", title="上海电子商务交易额"), actual)
    err = compare_images(str(BASELINE / "series_plot.png"), str(actual), tol=TOL,
                         in_decorator=True)
    assert err is not None and err["rms"] > TOL
