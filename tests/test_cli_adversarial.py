"""Adversarial command lines (issue 28): input that passes the door can be processed, and input
that cannot is refused with exit status 2 and a precise message before any kernel starts.

In-process cases run :func:`cluster_research.__main__.main` with kernels and papermill replaced
by functions that fail the test; a few run ``python -m cluster_research`` in a subprocess and
check that nothing was written (a kernel run writes a staging folder first).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cluster_research.__main__ import main
from cluster_research.pipeline import validate_parameters

#: Four of the sources of Shanghai's exact full-year values: 2002, 2009, 2007, 2010, 2019.
FOUR = "hc_chinaorgjp_2010_06_17,hc_researchinchina_2008,hc_eastday_2011_12_23,hc_shine_2020_04"


def _series_csv(path, years):
    rows = "".join(f"杭州,{y},{10.0 + i},亿元\n" for i, y in enumerate(years))
    path.write_text("region,year,value,unit\n" + rows, encoding="utf-8")
    return path


CASES = [
    (["run", "02", "-p", "exclude_source_ids", FOUR],
     r"parameter 'exclude_source_ids' = \[.*\] keeps 3 actual values of Shanghai's series "
     r"\(2016, 2021, 2025\); the fits need at least 4 \(richards, bass: 4 parameters\)"),
    (["run", "02", "-p", "exclude_source_ids", "hc_researchinchina_2008", "-p", "through_year",
      "2011"], r"'exclude_source_ids' = \['hc_researchinchina_2008'\] with parameter "
     r"'through_year' = 2011 keeps 3 actual values .*\(2002, 2009, 2010\)"),
    (["run", "02", "-p", "models", "exponential,logistic", "-p", "exclude_source_ids",
      "hc_shine_2022_10_09", "-p", "sensitivity_exclude", FOUR + ",hc_shine_2022_10_09"],
     r"parameter 'sensitivity_exclude' = .* leaves 2 actual values: no model of "
     r"\['exponential', 'logistic'\] has fewer parameters"),
    (["run", "10", "-p", "noises", "0.05", "-p", "realtime_methods", "[]"],
     r"'noises' = \[0.05\].*score none of the acceptance bars \(hindsight at noise 0.08; "
     r"hindsight at noise 0.15; realtime at noise 0.08; realtime at noise 0.15\)"),
    (["run", "10", "-p", "n_regions", "3", "-p", "noises", "0.3", "-p", "realtime_noises",
      "0.3"], r"score none of the acceptance bars"),
    (["run", "06", "-p", "year", "2101"], r"parameter 'year' 2101 is not a year in 1949-2100"),
    (["run", "02", "-p", "through_year", "1948"], r"'through_year' 1948 is not a year in "
     r"1949-2100"),
]


@pytest.mark.parametrize(("argv", "match"), CASES)
def test_refused_before_any_kernel(no_kernel, tmp_path, capsys, argv, match):
    assert main([*argv, "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(match, err), err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("year", "row"), [(1948, 3), (2101, 4)])
def test_a_user_series_outside_the_years_is_refused_naming_file_row_column(
        no_kernel, tmp_path, capsys, year, row):
    years = [1990, 1991, 1992, 1993, 1994]
    years[row - 2] = year
    csv = _series_csv(tmp_path / "mine.csv", years)
    out = tmp_path / "out"
    assert main(["profile", str(csv), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "mine.csv" in err and f"row {row}" in err and "year" in err, err
    assert "year out of range 1949..2100" in err, err
    assert not out.exists()


def test_a_series_the_door_accepts_passes_every_check_up_to_the_kernel(tmp_path):
    # positive control: 1950-1989 and a spread over the range up to the current year are valid
    # input (a later year is accepted only as a target, never as an actual)
    for years in (range(1950, 1990), [1949, 1980, 2000, 2010, 2020]):
        csv = _series_csv(tmp_path / "ok.csv", years)
        merged = validate_parameters("06", {"csv_path": str(csv)})
        assert merged["csv_path"] == str(csv)


@pytest.mark.parametrize(("argv", "match"), [CASES[0], CASES[3]])
def test_the_command_line_exits_2_before_a_kernel(tmp_path, argv, match):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "cluster_research", *argv, "--output-dir",
                           str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert re.search(match, proc.stderr) and "Traceback" not in proc.stderr, proc.stderr
    assert not out.exists()
