"""A user's own series (issue 26.8): future years, gaps, magnitudes, names, ``profile --help``.

Reference magnitudes are read here from the package's sourced data files, not from the
function under test; the current year comes from the clock.
"""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

import cluster_research as cr
from cluster_research import data as D
from cluster_research.__main__ import main
from cluster_research.data import DataValidationError
from cluster_research.errors import ImplausibleValueWarning, UnknownPlaceWarning
from cluster_research.pipeline.notebooks import notebook_parameters, resolve_notebook
from cluster_research.pipeline.userdata import profile_series

NOW = dt.date.today().year
VALUES = [100, 150, 220, 300, 400, 480, 530]


def _csv(tmp_path, region="杭州", years=range(2015, 2022), values=VALUES, unit="亿元",
         extra=""):
    p = tmp_path / "city.csv"
    rows = [f"{region},{y},{v},{unit}" for y, v in zip(years, values)]
    p.write_text("region,year,value,unit\n" + "\n".join(rows) + "\n" + extra, encoding="utf-8")
    return p


def _quiet(p):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return profile_series(p)


# ------------------------------------------------------------------ future years


def test_a_year_after_the_current_year_is_refused_as_an_actual(tmp_path):
    p = _csv(tmp_path, years=range(NOW - 5, NOW + 2))  # the last row is next year
    with pytest.raises(DataValidationError, match=f"after the current year \\({NOW}\\)") as ei:
        profile_series(p)
    assert (ei.value.path, ei.value.row, ei.value.column, ei.value.value) == (
        str(p), 8, "year", NOW + 1)
    assert "qualifier target" in str(ei.value)


def test_a_future_target_is_kept_but_never_an_actual(tmp_path):
    p = tmp_path / "t.csv"
    rows = [f"杭州,{y},{v},亿元,exact" for y, v in zip(range(NOW - 6, NOW - 1), VALUES)]
    rows.append(f"杭州,{NOW + 4},9999,亿元,target")
    p.write_text("region,year,value,unit,qualifier\n" + "\n".join(rows) + "\n",
                 encoding="utf-8")
    df = D.read_csv(p)
    assert df.loc[df.year == NOW + 4, "qualifier"].tolist() == ["target"]
    s = _quiet(p)
    assert NOW + 4 not in s.index and s.attrs["n_dropped"] == 1


def test_a_future_year_in_a_panel_file_is_refused(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(f"region,year,indicator,value,unit\n杭州,{NOW + 1},gdp,5,亿元\n",
                 encoding="utf-8")
    with pytest.raises(DataValidationError, match="after the current year"):
        D.read_csv(p, kind="panel")


# ------------------------------------------------------------------ gaps


def test_missing_years_are_reported_as_gaps(tmp_path):
    years = [2010, 2011, 2012, 2019, 2020, 2021]  # a six-year hole, 2013-2018
    s = _quiet(_csv(tmp_path, years=years, values=VALUES[:6]))
    assert s.attrs["gaps"] == [2013, 2014, 2015, 2016, 2017, 2018]
    assert list(s.index) == years  # nothing filled in


def test_empty_cells_and_missing_rows_are_both_gaps(tmp_path):
    p = _csv(tmp_path, years=[2010, 2011, 2013, 2014, 2015, 2016],
             values=[1, 2, 3, 4, 5, 6], extra="杭州,2012,,亿元\n杭州,2017,,亿元\n")
    s = _quiet(p)
    assert s.attrs["gaps"] == [2012, 2017]  # an empty cell is a gap even after the last value
    assert _quiet(_csv(tmp_path)).attrs["gaps"] == []


# ------------------------------------------------------------------ magnitudes


def _largest_yi_yuan(province_code=None):
    """The largest 亿元 value of the package's national series, or of one province's NBS
    series (provincial panel and economy), read from its data files."""
    if province_code is None:
        nat = D.load("national_ecommerce")
        cur = nat["unit_original"].map(cr.data.units.is_currency)
        return float(nat.loc[cur, "value"].max())
    return max(float(d.loc[(d.region_code == province_code) & (d.unit == "亿元"), "value"].max())
               for d in (D.load("provincial_panel"), D.load("provincial_economy")))


ZHEJIANG = "330000"  # 杭州 and 金华 are cities of 浙江


def test_values_in_wan_yuan_labelled_yi_yuan_are_warned_with_the_factor(tmp_path):
    big = _largest_yi_yuan(ZHEJIANG)
    values = [v * 1e4 for v in (22490.06, 24221.98, 26927.09, 27670.24, 30664.85)]  # 万元 of 亿元
    p = _csv(tmp_path, region="杭州", years=range(2018, 2023), values=values)
    with pytest.warns(ImplausibleValueWarning) as rec:
        profile_series(p)
    msg = str(next(w for w in rec if w.category is ImplausibleValueWarning).message)
    factor = max(values) / big
    assert factor > 100
    assert f"{factor:,.0f}×" in msg and "row 6" in msg and "2022" in msg and "浙江省" in msg


def test_a_city_value_is_compared_with_its_own_province_not_the_country(tmp_path):
    """150× 浙江's largest 亿元 value (its GDP) is far too large for 金华, though less than
    100× the national e-commerce total: the place's province is the yardstick."""
    prov, nat = _largest_yi_yuan(ZHEJIANG), _largest_yi_yuan()
    values = [prov * f for f in (90, 100, 120, 140, 150)]
    assert max(values) < 100 * nat  # the country-wide yardstick would stay silent
    with pytest.warns(ImplausibleValueWarning, match="150×.*浙江省 \\(the province of 金华市\\)"):
        profile_series(_csv(tmp_path, region="金华", years=range(2015, 2020), values=values))


def test_plausible_values_are_not_warned(tmp_path):
    for region, big in (("杭州", _largest_yi_yuan(ZHEJIANG)), ("示例市", _largest_yi_yuan())):
        values = [big * f for f in (0.2, 0.4, 0.6, 0.8, 50.0)]  # 50x: large but within 100x
        with warnings.catch_warnings():
            warnings.simplefilter("error", ImplausibleValueWarning)
            profile_series(_csv(tmp_path, region=region, years=range(2015, 2020),
                                values=values))


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("name", ["浙江", "浙江省", "Zhejiang", "ZHEJIANG", "330000", "浙江\u3000"])
def test_a_province_in_a_csv_is_recognised(tmp_path, name):
    s = _quiet(_csv(tmp_path, region=name))
    assert s.attrs["region"] == "浙江" and s.attrs["province"] == "浙江"


def test_a_city_is_not_a_province(tmp_path):
    assert _quiet(_csv(tmp_path, region="杭州")).attrs["province"] is None


@pytest.mark.parametrize(("name", "zh"), [("Zhejiang Province", "浙江"), ("zhe jiang", "浙江"),
                                          ("Zhèjiāng Shěng", "浙江"), ("Shanghai Shi", "上海"),
                                          ("Shanghaii", "上海"), ("Beijing City", "北京")])
def test_a_pinyin_name_gets_the_chinese_name_suggested(tmp_path, name, zh):
    with pytest.warns(UnknownPlaceWarning, match=f"did you mean {zh} "):
        profile_series(_csv(tmp_path, region=name))


def test_the_profile_command_warns_about_an_implausible_value_once(tmp_path, monkeypatch):
    """The parameters (and so the user's CSV) are validated once before the kernel starts;
    the kernel itself is replaced by a stop, so only the command line's own checks run."""
    from cluster_research.errors import ClusterResearchError
    from cluster_research.pipeline import runner

    class Stop(ClusterResearchError):
        pass

    def no_kernel(*args, **kwargs):
        raise Stop("no kernel in this test")

    monkeypatch.setattr(runner, "_run", no_kernel)
    big = _largest_yi_yuan(ZHEJIANG)
    p = _csv(tmp_path, region="杭州", years=range(2018, 2023),
             values=[big * f for f in (200, 220, 240, 260, 280)])
    with pytest.warns(ImplausibleValueWarning) as rec:
        assert main(["profile", str(p), "--output-dir", str(tmp_path / "out")]) == 2
    assert sum(w.category is ImplausibleValueWarning for w in rec) == 1


# ------------------------------------------------------------------ profile --help


def test_profile_help_lists_only_the_profile_parameters(capsys):
    with pytest.raises(SystemExit):
        main(["profile", "--help"])
    out = capsys.readouterr().out.split("parameters (kind and allowed values):")[1]
    listed = [ln.split()[0] for ln in out.splitlines()
              if ln.startswith("  ") and not ln.startswith("   ")]
    own = [n for n in notebook_parameters(resolve_notebook("06"))
           if n not in ("csv_path", "csv_series")]
    assert listed == own
    other = set(notebook_parameters(resolve_notebook("09"))) - set(own)
    assert other and not other & set(listed)  # e.g. 09's city and scheme are not shown


# ------------------------------------------------------------------ progress


def test_a_long_cli_run_prints_progress_while_the_kernel_computes(monkeypatch, capsys):
    """The command says it is alive every HEARTBEAT_SECONDS while a notebook executes."""
    import time

    from cluster_research.errors import ParameterError
    from cluster_research.pipeline import cli

    def slow_run(*a, **k):
        time.sleep(0.35)
        raise ParameterError("stop here")  # no kernel: the run itself is not under test

    monkeypatch.setattr(cli, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(cli, "run_notebook", slow_run)
    assert main(["run", "05", "-p", "region", "北京"]) == 2
    beats = [ln for ln in capsys.readouterr().err.splitlines() if "still running" in ln]
    assert len(beats) >= 3 and "05_strategy_indicators" in beats[0]


def test_the_heartbeat_is_at_most_30_seconds():
    from cluster_research.lifecycle import panel
    from cluster_research.pipeline import cli

    assert 0 < cli.HEARTBEAT_SECONDS <= 30 and 0 < panel.PROGRESS_SECONDS <= 30


def test_the_real_time_refits_log_their_progress(monkeypatch, caplog):
    import logging

    from cluster_research.lifecycle import panel

    nbs = D.load("provincial_panel")
    small = nbs[(nbs.indicator == "ecommerce_sales") & nbs.region.isin(["北京", "上海", "浙江"])]
    monkeypatch.setattr(panel, "PROGRESS_SECONDS", 0.0)  # a record after every refit
    with caplog.at_level(logging.INFO, logger="cluster_research.lifecycle.panel"):
        cr.lifecycle.panel_stages(small[["region", "year", "value"]], information="realtime",
                                  method="curve", model="logistic")
    years = sorted(set(small.year))
    msgs = [r.getMessage() for r in caplog.records if "real-time" in r.getMessage()]
    assert len(msgs) == len(years)
    assert f"refit {len(years)} of {len(years)} done (data <= {years[-1]})" in msgs[-1]
