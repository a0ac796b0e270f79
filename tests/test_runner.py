"""Tests of the notebook runner, the command line and the committed notebooks."""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cluster_research as cr
from cluster_research import outputs
from cluster_research import pipeline as runner
from cluster_research.__main__ import main
from cluster_research.errors import DataValidationError, ParameterError

NOTEBOOKS = ["01_paper_claims", "04_figure1_parks", "05_strategy_indicators",
             "06_region_profile", "07_cross_region", "08_drivers"]


@pytest.fixture
def no_execution(monkeypatch):
    """Fail the test if papermill is asked to execute anything."""
    import papermill

    def boom(*a, **k):
        raise AssertionError("papermill.execute_notebook called despite invalid parameters")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


# ------------------------------------------------------------- parameters


def test_notebook_parameters_reads_literals():
    p = runner.notebook_parameters("05")
    assert p == {"region": "上海", "year_from": 2015, "year_to": 2024, "lang": "zh",
                 "map_indicator": "ecommerce_sales"}


def test_resolve_notebook_forms():
    a = runner.resolve_notebook("05")
    assert a.name == "05_strategy_indicators.ipynb"
    assert runner.resolve_notebook("05_strategy_indicators.ipynb") == a
    with pytest.raises(ParameterError, match="not found"):
        runner.resolve_notebook("99")


def test_misspelt_parameter_stops_before_execution(no_execution, tmp_path):
    with pytest.raises(ParameterError) as ei:
        runner.run_notebook("05", {"regoin": "北京"}, output_dir=tmp_path)
    msg = str(ei.value)
    assert "'regoin'" in msg and "region" in msg and "year_from" in msg
    assert "did you mean 'region'" in msg
    assert not (tmp_path / "notebooks").exists()


def test_wrong_type_stops_before_execution(no_execution, tmp_path):
    with pytest.raises(ParameterError, match="year_from.*int"):
        runner.run_notebook("05", {"year_from": "2015"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match="bool"):
        runner.validate_parameters("05", {"year_to": True})


def test_unknown_region_stops_before_execution(no_execution, tmp_path):
    with pytest.raises(cr.data.DataValidationError, match="火星"):
        runner.run_notebook("05", {"region": "火星"}, output_dir=tmp_path)


def test_bad_lang_rejected(no_execution):
    with pytest.raises(ParameterError, match="lang"):
        runner.validate_parameters("01", {"lang": "fr"})


@pytest.mark.parametrize(("nb", "params", "match"), [
    ("03", {"information": "real-time"}, r"'information'.*realtime.*hindsight.*'real-time'"),
    ("06", {"information": "Hindsight"}, r"'information'"),
    ("02", {"errors": "log"}, r"'errors'.*multiplicative"),
    ("02", {"interval": "credible"}, r"'interval'.*prediction"),
    ("02", {"models": ["logistc"]}, r"'models'.*logistc"),
    ("02", {"models": []}, r"'models' must name at least 1 value"),
    ("03", {"curve_models": ["exponential"]}, r"'curve_models'.*exponential"),
    ("02", {"through_year": 20111}, r"'through_year'.*20111"),
    ("03", {"years": [2010, 211]}, r"'years'.*211"),
    ("06", {"indicator": "ecommerce_sale"}, r"did you mean 'ecommerce_sales'"),
    ("06", {"n_boot": 0}, r"'n_boot'.*>= 1"),
    ("06", {"window": 2}, r"'window'.*>= 3"),
    ("02", {"exclude_source_ids": ["no_such_source"]}, r"no_such_source"),
    ("05", {"year_from": 2024, "year_to": 2015}, r"year_from \(2024\).*year_to \(2015\)"),
    ("08", {"break_threshold": 0.3}, r"break_threshold"),
])
def test_out_of_range_values_stop_before_execution(no_execution, tmp_path, nb, params, match):
    with pytest.raises(ParameterError, match=match):
        runner.run_notebook(nb, params, output_dir=tmp_path)
    assert not (tmp_path / "notebooks").exists()


def test_region_valued_parameters_are_checked(no_execution):
    with pytest.raises(cr.data.DataValidationError, match="火星"):
        runner.validate_parameters("07", {"highlight": "火星"})
    with pytest.raises(cr.data.DataValidationError, match="Atlantis"):
        runner.validate_parameters("06", {"benchmark": "Atlantis"})
    # valid values in every checked family pass
    runner.validate_parameters("03", {"information": "realtime", "years": [2011],
                                      "curve_models": ["logistic", "bass"]})
    runner.validate_parameters("02", {"exclude_source_ids": ["hc_researchinchina_2008"],
                                      "through_year": 2016, "errors": "additive"})


def test_float_accepts_int_and_list_types_are_strict():
    # an int is a valid float (noise 1 = 1.0); a number written as text is not a number
    merged = runner.validate_parameters("10", {"noises": [0.08, 1]})
    assert merged["noises"] == [0.08, 1.0]
    with pytest.raises(ParameterError, match=r"'noises' item 0 must be float, got str '0.1'"):
        runner.validate_parameters("10", {"noises": ["0.1"]})
    runner.validate_parameters("04", {"highlight_districts": ["嘉定区"]})
    with pytest.raises(ParameterError, match=r"'highlight_districts' item 0 must be str, got int"):
        runner.validate_parameters("04", {"highlight_districts": [1]})
    with pytest.raises(ParameterError, match=r"'highlight_districts' must be a list, got str"):
        runner.validate_parameters("04", {"highlight_districts": "嘉定区"})
    with pytest.raises(ParameterError, match=r"'nbs_check' must be bool, got int 1"):
        runner.validate_parameters("10", {"nbs_check": 1})


@pytest.mark.parametrize(("text", "default", "expected"), [
    ("2011", 2010, 2011), ("0.5", 1.0, 0.5), ("en", "zh", "en"), ("true", False, True),
    ("no", True, False), ("[嘉定区, 宝山区]", ["x"], ["嘉定区", "宝山区"]),
])
def test_coerce_cli_value(text, default, expected):
    assert runner.coerce_cli_value("p", text, default) == expected


def test_coerce_cli_value_error():
    with pytest.raises(ParameterError, match="year"):
        runner.coerce_cli_value("year", "twenty", 2010)


def _notebook(path, parameters: str, *cells: str):
    """Write a notebook: a tagged ``parameters`` cell, then ``cells``; return its path."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    p = nbformat.v4.new_code_cell(parameters)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, *map(nbformat.v4.new_code_cell, cells)]
    nbformat.write(nb, path)
    return path


def test_parameters_cell_must_be_literals(tmp_path):
    path = _notebook(tmp_path / "x.ipynb", "region = '上海'\nyear = 2000 + 10")
    with pytest.raises(ParameterError, match="year"):
        runner.notebook_parameters(path)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1")]), path)
    with pytest.raises(ParameterError, match="exactly one"):
        runner.notebook_parameters(path)


def test_cli_misspelt_parameter(no_execution, capsys):
    assert main(["run", "05", "-p", "regoin", "北京"]) == 2
    err = capsys.readouterr().err
    assert "regoin" in err and "valid parameters" in err


def test_cli_unknown_region(no_execution, capsys):
    assert main(["run", "05", "-p", "region", "Atlantis"]) == 2
    assert "Atlantis" in capsys.readouterr().err


def test_cli_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in NOTEBOOKS:
        assert name in out


def test_params_files_are_valid():
    runs = runner.list_runs()
    assert {r.stem for r in runs} >= set(NOTEBOOKS)
    for r in runs:
        nb, params = runner.load_params_file(r)
        runner.validate_parameters(nb, params)


def test_run_all_validates_everything_first(no_execution, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("notebook: 05\nparameters:\n  yaer_to: 2020\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="yaer_to"):
        runner.run_all(jobs=1, output_dir=tmp_path, runs=[*runner.list_runs(), bad],
                       progress=False)


def test_params_file_unknown_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("notebook: 05\nparams:\n  region: 北京\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown keys"):
        runner.load_params_file(bad)


def test_output_path_and_save_table(tmp_path, monkeypatch):
    monkeypatch.delenv(outputs.ENV_OUTPUT_DIR, raising=False)
    monkeypatch.delenv(outputs.ENV_RUN_NAME, raising=False)
    table = pd.DataFrame({"year": [2015, 2016], "hhi": [0.08, 0.09], "cr4": [0.5, 0.5],
                          "top4": ["a b c d", "a b c d"]})
    assert outputs.save_table(table, "concentration") is None
    monkeypatch.setenv(outputs.ENV_OUTPUT_DIR, str(tmp_path))
    monkeypatch.setenv(outputs.ENV_RUN_NAME, "run1")
    p = outputs.save_table(table, "concentration")
    assert p == tmp_path / "tables" / "run1" / "concentration.csv"
    assert p.read_text() == "year,hhi,cr4,top4\n2015,0.08,0.5,a b c d\n2016,0.09,0.5,a b c d\n"
    # a table that fails its schema is not written (duplicated key, stray column, no schema)
    with pytest.raises(DataValidationError, match="duplicated keys"):
        outputs.save_table(table.assign(year=2015), "concentration")
    with pytest.raises(DataValidationError, match="level_2"):
        outputs.save_table(table.assign(level_2=1), "concentration")
    with pytest.raises(DataValidationError, match="no schema"):
        outputs.save_table(table, "no_such_table")
    with pytest.raises(DataValidationError, match="index"):
        outputs.save_table(table.set_index("year"), "concentration")
    with pytest.raises(ValueError, match="output name"):
        outputs.output_path("tables", "../x", "csv")


# -------------------------------------------------- executing with new parameters


def test_run_notebook_injects_parameters_and_collects_outputs(tmp_path):
    """The runner on a two-cell notebook: parameters injected, tables and figures collected."""
    nb_path = _tiny_notebook(tmp_path / "tiny.ipynb", TABLE_CELL + "\n" + FIGURE_CELL)
    params = {"lang": "en"}
    res = runner.run_notebook(nb_path, params, output_dir=tmp_path / "out", name="beijing")
    assert res.output_notebook == tmp_path / "out" / "notebooks" / "beijing.ipynb"
    nb = nbformat.read(res.output_notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"] == params
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "'en'" in injected[0].source.replace('"', "'")
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [p.name for p in res.tables] == ["concentration.csv"]
    table = pd.read_csv(tmp_path / "out" / "tables" / "beijing" / "concentration.csv")
    assert table["top4"].tolist() == ["en"]  # the injected value, not the default "zh"
    assert {p.name for p in res.figures} == {"tiny.png", "tiny.svg"}


def test_indicator_ranks_are_competition_ranks_of_the_data():
    """Notebook 05 with region=北京, 2019-2023: its table is ``pillar_indicators``'s."""
    ranks = cr.claims.pillar_indicators("北京", year_from=2019, year_to=2023)
    assert sorted(ranks.year.unique()) == [2019, 2020, 2021, 2022, 2023]
    # recorded values are Beijing's, and ranks agree with an independent pandas ranking
    panel = cr.data.load("provincial_panel")
    sales = panel[(panel.indicator == "ecommerce_sales") & (panel.year == 2021)]
    expected_value = float(sales.loc[sales.region == "北京", "value"].iloc[0])
    expected_rank = int((sales.value > expected_value).sum()) + 1
    got = ranks[(ranks.indicator == "ecommerce_sales") & (ranks.year == 2021)].iloc[0]
    assert got["value"] == pytest.approx(expected_value)
    assert got["rank_level"] == expected_rank
    # the rank per resident: value / 2024 population, ranked independently here
    econ = cr.data.load("provincial_economy")
    pop = econ[econ.indicator == "population"].set_index("region")["value"]
    per = sales.set_index("region")["value"] / pop
    assert got["rank"] == int((per > per["北京"]).sum()) + 1
    assert got["rank_basis"] == "per resident"


# -------------------------------------------------------- committed notebooks


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_conventions(name):
    path = runner.notebooks_dir() / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    after = nb.cells[tagged[0] + 1]
    assert after.cell_type == "code" and "cr.notebook_setup()" in after.source
    # the notebook ends with "What this shows": fixed prose, or generated from the run's tables
    heading = max(i for i, c in enumerate(nb.cells)
                  if c.cell_type == "markdown" and "## What this shows" in c.source)
    assert all(c.cell_type == "code" for c in nb.cells[heading + 1:])
    assert len(nb.cells) - heading <= 3
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "notebook committed unexecuted"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any("NBVAL_CHECK_OUTPUT" in c.source for c in code)
    assert "def " not in "".join(c.source for c in code), "logic belongs in the library"
    assert "papermill" not in nb.metadata
    json.dumps(nb)  # serialisable


@pytest.mark.parametrize("path", runner.list_notebooks(), ids=lambda p: p.stem)
def test_every_committed_notebook_has_outputs_nbval_checks(path):
    """nbval (``--nbval-lax``) compares only NBVAL_CHECK_OUTPUT cells: every notebook has some,
    each with a stored output to compare (else a flipped stored number passes)."""
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
    assert len(checked) >= 2, f"{path.name}: {len(checked)} checked cell(s)"
    assert all(c.outputs for c in checked), path.name


def test_unknown_district_stops_before_execution(no_execution, tmp_path):
    with pytest.raises(ParameterError, match="闸北区"):
        runner.run_notebook("04", {"highlight_districts": ["闸北区"]}, output_dir=tmp_path)


def test_default_run_name_is_readable():
    name = cr.pipeline.default_run_name(runner.resolve_notebook("04"),
                                    {"lang": "en", "highlight_districts": ["嘉定区", "宝山区"]})
    assert name == "04_figure1_parks__highlight_districts-嘉定区_宝山区__lang-en"


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-10**6, max_value=10**6))
def test_int_round_trips_through_cli(n):
    value = runner.coerce_cli_value("year", str(n), 2010)
    assert value == n and type(value) is int
    assert runner.coerce_cli_value("break_threshold", str(n), -0.3) == float(n)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_string_parameters_kept_verbatim(text):
    assert runner.coerce_cli_value("region", text, "上海") == text


# ------------------------------------------- adversarial input (issue 16), before execution


@pytest.mark.parametrize(("argv", "match"), [
    (["run", "08", "-p", "dk_maxlags", "-3"], r"'dk_maxlags' must be >= 0, got -3"),
    (["run", "08", "-p", "dk_maxlags", "abc"], r"'dk_maxlags'.*cannot read 'abc'"),
    (["run", "08", "-p", "dk_maxlags", "20"], r"'dk_maxlags' must be <= 9"),
    (["run", "08", "-p", "break_threshold", "nan"], r"break_threshold"),
    (["run", "02", "-p", "through_year", "2001"], r"'through_year' = 2001 keeps 0 actual"),
    (["run", "02", "-p", "through_year", "2030"], r"beyond the last observation \(2021\)"),
    (["run", "03", "-p", "region", "北京"], r"'years' = 2010 .*北京.*2015-2024"),
    (["run", "03", "-p", "years", "2010,abc"], r"'years'.*cannot read"),
    (["run", "05", "-p", "year_from", "2010"], r"'year_from' = 2010 is outside"),
    (["run", "06", "-p", "year", "2030"], r"'year' = 2030 is outside"),
    (["run", "07", "-p", "year", "2014"], r"'year' = 2014 is outside"),
    (["run", "06", "-p", "n_boot", "1e9"], r"'n_boot'.*cannot read"),
    (["run", "06", "-p", "figure_formats", "gif"], r"gif"),
    (["run", "01", "--name", "../../etc/x"], r"cannot leave outputs"),
    (["run", "01", "--name", "/tmp/x"], r"cannot leave outputs"),
    (["run", "01", "--name", "a/../../b"], r"cannot leave outputs"),
    (["run", "01", "--params-file", "/nonexistent.yaml"], r"/nonexistent.yaml: cannot read"),
    (["reproduce", "--only", "no_such_run"], r"unknown run"),
])
def test_cli_refuses_bad_input_before_execution(no_execution, tmp_path, capsys, argv, match):
    assert main([*argv, *(["--output-dir", str(tmp_path)] if argv[0] == "run" else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(match, err), err
    assert not (tmp_path / "notebooks").exists()


def test_every_notebook_has_a_model_that_agrees_with_its_parameters_cell():
    assert set(cr.pipeline.parameter_models()) == {nb.stem for nb in runner.list_notebooks()}
    for nb in runner.list_notebooks():
        model, cell = cr.pipeline.parameter_model(nb), runner.notebook_parameters(nb)
        assert {n: f.default for n, f in model.model_fields.items()} == cell, nb.name
        assert list(model.model_fields) == list(cell), nb.name  # help lists them in cell order
        model.model_validate(cell)  # the defaults pass their own checks (data included)
        for name in cell:
            assert cr.pipeline.describe_spec(name, nb) != "undeclared"


def test_a_model_default_other_than_the_cell_is_refused(tmp_path):
    # negative control of the agreement: notebook 08's cell with another break_threshold
    path = _notebook(tmp_path / "08_drivers.ipynb",
                     'break_threshold = -0.5\ndk_maxlags = None\nlang = "zh"')
    with pytest.raises(ParameterError, match=r"\['break_threshold'\] are not declared alike"):
        runner.validate_parameters(path, {})
    _notebook(path, 'break_threshold = -0.3\nlang = "zh"\nextra = 1')
    with pytest.raises(ParameterError, match=r"\['extra', 'dk_maxlags'\]"):
        cr.pipeline.parameter_model(path)


def test_a_notebook_without_a_model_takes_the_declared_fields(tmp_path):
    path = _notebook(tmp_path / "mine.ipynb", 'region = "北京"\nlang = "en"')
    assert runner.validate_parameters(path, {"lang": "zh"}) == {"region": "北京", "lang": "zh"}
    with pytest.raises(ParameterError, match=r"'lang' must be 'zh' or 'en', got 'fr'"):
        runner.validate_parameters(path, {"lang": "fr"})
    with pytest.raises(cr.data.DataValidationError, match="火星"):
        runner.validate_parameters(path, {"region": "火星"})
    _notebook(path, "undeclared_name = 1")
    with pytest.raises(ParameterError, match=r"\['undeclared_name'\] are not declared"):
        runner.validate_parameters(path, {})


@pytest.mark.parametrize(("nb", "params", "match"), [
    ("05", {"year_to": 2024.0}, (r"05_strategy_indicators.ipynb: parameter 'year_to' must be "
                                 r"int, got float 2024.0")),
    ("07", {"year": 1900}, (r"07_cross_region.ipynb: parameter 'year' 1900 is not a year in "
                            r"1949-2100")),
    ("07", {"year": None}, r"'year' must be int, got NoneType None"),  # only 06 takes null
    ("03", {"years": [2015, 2200]}, r"'years' item 1 2200 is not a year in 1949-2100"),
    ("09", {"scheme": "quantil"}, (r"'scheme' must be 'log' or 'quantile', got 'quantil' "
                                   r"\(did you mean 'quantile'\?\)")),
    ("10", {"designs": ["shifed"]}, (r"'designs' item 0 must be 'independent' or 'shifted', "
                                     r"got 'shifed' \(did you mean 'shifted'\?\)")),
    ("10", {"n_years": 61}, r"'n_years' must be <= 60, got 61"),
    ("06", {"seed": -1}, r"'seed' must be >= 0, got -1"),
    ("02", {"region_label": "北京"}, r"'region_label' must be '上海', got '北京'"),
])
def test_wrong_type_range_and_choice_name_notebook_parameter_and_allowed(nb, params, match):
    with pytest.raises(ParameterError, match=match):
        runner.validate_parameters(nb, params)


@pytest.mark.parametrize(("name", "text", "default", "expected"), [
    ("years", "2018,2022", [2010, 2011], [2018, 2022]),
    ("years", "[2018, 2022]", [2010, 2011], [2018, 2022]),
    ("dk_maxlags", "null", None, None),
    ("dk_maxlags", "3", None, 3),
    ("through_year", "2011", None, 2011),
    ("highlight_districts", "嘉定区,宝山区", ["普陀区"], ["嘉定区", "宝山区"]),
])
def test_cli_values_read_by_declared_kind(name, text, default, expected):
    assert runner.coerce_cli_value(name, text, default) == expected


def test_cli_values_read_by_the_notebooks_own_model():
    assert runner.coerce_cli_value("year", "null", None, "06") is None  # 06: null = last year
    with pytest.raises(ParameterError, match=r"'year': cannot read 'null' as year 1949-2100"):
        runner.coerce_cli_value("year", "null", 2024, "07")  # 07 maps one year: no null
    assert runner.coerce_cli_value("noises", "[0.08, '0.15']", [0.1], "10") == [0.08, 0.15]
    assert runner.coerce_cli_value("nbs_check", "no", True, "10") is False
    with pytest.raises(ParameterError, match=r"'seeds': cannot read '1,x' as list of int"):
        runner.coerce_cli_value("seeds", "1,x", [0], "10")


def test_check_years_names_the_parameter_and_warns_for_some_years_outside():
    with pytest.raises(ParameterError, match=r"parameter 'year' = 2014 is outside the years "
                       r"with data for region 北京 \(ecommerce_sales: 2015-2024\)"):
        cr.data.check_years(region="北京", year=2014)
    with pytest.warns(cr.errors.ParameterWarning, match=r"'years': years \[2014\] have no data"):
        cr.data.check_years(region="北京", years=[2014, 2015])
    cr.data.check_years(region="上海", shanghai_series=True, years=[2010])  # the paper's series
    with pytest.raises(ParameterError, match=r"'years' = 2010 .*none of \[2010\] has data"):
        cr.data.check_years(region="上海", years=[2010])
    cr.data.check_years("ecommerce_firms_share", year_from=2015, year=None)  # None: unchecked
    with pytest.raises(ParameterError, match=r"'year' = 2024 .*ecommerce_firms_share: 2015-2023"):
        cr.data.check_years("ecommerce_firms_share", year=2024)


def test_help_shows_list_syntax_and_allowed_values(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "a,b or [a, b]" in out and "dk_maxlags" in out and "int in [0, 9] or null" in out
    assert "one of realtime|hindsight" in out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert cr.__version__ in capsys.readouterr().out


@pytest.mark.parametrize("name", ["..", "../x", "a/..", "/abs", "a//b", ".hidden", "a/.b",
                                  "x" * 201, "a b", "a\\b"])
def test_run_names_cannot_leave_outputs(name):
    with pytest.raises(cr.errors.ParameterError):
        cr.pipeline.check_run_name(name)


def test_missing_run_file_is_a_typed_error(tmp_path):
    with pytest.raises(cr.errors.ParameterError, match="nope.yaml"):
        runner.expand_run(tmp_path / "nope.yaml")


# ------------------------------------- atomic runs, manifest, reuse, lock (issues 14, 16)


def _tiny_notebook(path, body):
    return _notebook(path, 'lang = "zh"', body)


FIGURE_CELL = ("import matplotlib.pyplot as plt\n"
               "fig, ax = plt.subplots(figsize=(1, 1))\n"
               "cr.viz.save(fig, 'tiny')")

TABLE_CELL = ("import pandas as pd, cluster_research as cr\n"
              "cr.outputs.save_table(pd.DataFrame({'year': [2015], 'hhi': [0.1], 'cr4': [0.5], "
              "'top4': [lang]}), 'concentration')")


def test_failed_run_leaves_nothing_that_looks_complete(tmp_path):
    good = _tiny_notebook(tmp_path / "good.ipynb", TABLE_CELL)
    bad = _tiny_notebook(tmp_path / "bad.ipynb", TABLE_CELL + "\nraise RuntimeError('boom')")
    out = tmp_path / "out"
    res = runner.run_notebook(good, {"lang": "en"}, output_dir=out, name="r")
    assert pd.read_csv(out / "tables" / "r" / "concentration.csv")["top4"].tolist() == ["en"]
    first = res.output_notebook.read_bytes()
    with pytest.raises(Exception, match="boom"):
        runner.run_notebook(bad, {"lang": "zh"}, output_dir=out, name="r")
    # the earlier complete outputs are untouched; the failure is recorded and kept aside
    assert res.output_notebook.read_bytes() == first
    assert pd.read_csv(out / "tables" / "r" / "concentration.csv")["top4"].tolist() == ["en"]
    assert (out / "failed" / "r.ipynb").exists()
    assert not list((out / ".staging").glob("*"))
    rec = cr.pipeline.read_manifest(out)["runs"]["r"]
    assert rec["status"] == "failed" and "boom" in rec["error"]
    # the report refuses an incomplete reproduction unless asked
    assert main(["report", "--output-dir", str(out)]) == 3


def test_reuse_when_nothing_changed_and_rerun_when_parameters_change(tmp_path):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb", TABLE_CELL)
    run = tmp_path / "tiny.yaml"
    run.write_text(f"notebook: {nb}\nparameters:\n  lang: zh\n", encoding="utf-8")
    out = tmp_path / "out"
    (a,) = runner.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert not a.reused
    (b,) = runner.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert b.reused and b.seconds == 0.0
    assert cr.pipeline.read_manifest(out)["last_reproduce"]["reused"] == ["tiny"]
    run.write_text(f"notebook: {nb}\nparameters:\n  lang: en\n", encoding="utf-8")
    (c,) = runner.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert not c.reused
    assert pd.read_csv(out / "tables" / "tiny" / "concentration.csv")["top4"].tolist() == ["en"]
    (d,) = runner.run_all(jobs=1, output_dir=out, runs=[run], progress=False, force=True)
    assert not d.reused


def test_failed_runs_end_in_one_typed_error(tmp_path):
    nb = _tiny_notebook(tmp_path / "bad.ipynb", "raise ValueError('kaputt')")
    run = tmp_path / "bad.yaml"
    run.write_text(f"notebook: {nb}\n", encoding="utf-8")
    with pytest.raises(cr.errors.RunFailedError) as ei:
        runner.run_all(jobs=1, output_dir=tmp_path / "out", runs=[run], progress=False)
    assert "kaputt" in ei.value.failures["bad"] and ei.value.results == []


def test_lock_keeps_two_reproductions_out(no_execution, tmp_path):
    with cr.pipeline.outputs_lock(tmp_path):
        with pytest.raises(cr.errors.ReproductionLockedError, match="another reproduction"):
            runner.run_all(jobs=1, output_dir=tmp_path, progress=False)
    with cr.pipeline.outputs_lock(tmp_path):  # released
        pass


def test_a_dependency_upgrade_makes_every_run_stale_and_executes_it_again(tmp_path, monkeypatch):
    """One key definition: a new version of any numerical library changes the environment
    key, so the run manifest calls every run stale and reproduce executes it again."""
    from cluster_research.pipeline import cache
    from cluster_research.pipeline.runs import run_problems

    nb = _tiny_notebook(tmp_path / "tiny.ipynb", TABLE_CELL)
    run = tmp_path / "tiny.yaml"
    run.write_text(f"notebook: {nb}\n", encoding="utf-8")
    out = tmp_path / "out"
    runner.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert run_problems(out, [run])[0] == []
    key, real = cache.environment_key(), cache.metadata.version
    for lib in ("numpy", "scipy", "pandas", "statsmodels", "hmmlearn"):
        monkeypatch.setattr(cache.metadata, "version",
                            lambda n, lib=lib: "99.0" if n == lib else real(n))
        assert cache.environment_key() != key, lib
    assert run_problems(out, [run])[0] == ["tiny: stale (environment changed since it ran)"]
    (b,) = runner.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert not b.reused
    monkeypatch.setattr(cache.metadata, "version", real)
    assert cache.environment_key() == key


def test_environment_key_covers_the_code_but_not_the_pipeline(tmp_path, monkeypatch):
    from cluster_research.pipeline import cache

    report_only = ("pipeline/runner.py", "__main__.py", "resources/site/conf.py")
    for rel in ("growth/fit.py", "resources/x.csv", *report_only):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("a", encoding="utf-8")
    monkeypatch.setattr(cache, "PACKAGE_DIR", tmp_path)
    before = cache.environment_key()
    for rel in report_only:  # execute notebooks or build the report, compute no result
        (tmp_path / rel).write_text("b", encoding="utf-8")
        assert cache.environment_key() == before, rel
    for rel in ("growth/fit.py", "resources/x.csv"):
        (tmp_path / rel).write_text("b", encoding="utf-8")
        assert cache.environment_key() != before, rel
        before = cache.environment_key()


def test_runs_execute_in_fresh_kernels_at_most_jobs_at_a_time(tmp_path):
    import psutil

    nb = _tiny_notebook(tmp_path / "t.ipynb", "import os, time\nt0 = time.time()\n"
                        "time.sleep(1.5)\nprint(os.getpid(), t0, time.time())")
    nb_text = nb.read_text(encoding="utf-8").replace('lang = \\"zh\\"', 'region = \\"上海\\"')
    nb.write_text(nb_text, encoding="utf-8")
    run = tmp_path / "fan.yaml"
    run.write_text(f"notebook: {nb}\nfanout:\n  region: [北京, 天津, 上海]\n", encoding="utf-8")
    res = runner.run_all(jobs=2, output_dir=tmp_path / "out", runs=[run], progress=False)
    spans = []
    for r in res:
        out = nbformat.read(r.output_notebook, as_version=4).cells[-1].outputs[0]["text"]
        pid, t0, t1 = out.split()
        spans.append((int(pid), float(t0), float(t1)))
    assert len({s[0] for s in spans}) == 3  # a fresh kernel per run
    assert max(sum(a <= t < b for _, a, b in spans) for _, t, _ in spans) <= 2
    assert psutil.Process().children(recursive=True) == []  # every kernel stopped


def test_ctrl_c_stops_the_kernels_and_records_nothing(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    import psutil

    nb = _tiny_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    run = tmp_path / "slow.yaml"
    run.write_text(f"notebook: {nb}\n", encoding="utf-8")
    out = tmp_path / "out"
    code = ("import sys\nfrom cluster_research.pipeline import runner\ntry:\n"
            "    runner.run_all(jobs=2, output_dir=sys.argv[2], runs=[sys.argv[1]], "
            "progress=False, verify_data=False)\nexcept KeyboardInterrupt:\n    sys.exit(130)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(run), str(out)],
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while not psutil.Process(proc.pid).children() and time.time() < deadline:
        time.sleep(0.2)
    kernels = psutil.Process(proc.pid).children(recursive=True)
    assert kernels
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
    assert not (out / ".staging").exists() and not (out / "notebooks").exists()
    assert cr.pipeline.read_manifest(out)["runs"] == {}


def test_refresh_executes_in_place_without_an_output_directory(tmp_path, monkeypatch):
    nb = _tiny_notebook(tmp_path / "r.ipynb", "import os\nprint(os.environ.get("
                        "'CLUSTER_RESEARCH_OUTPUT_DIR'), os.getcwd())")
    monkeypatch.setenv(outputs.ENV_OUTPUT_DIR, str(tmp_path / "nowhere"))
    assert runner.refresh([nb]) == [nb]
    cell = nbformat.read(nb, as_version=4).cells[-1]
    assert cell.outputs[0]["text"].split() == ["None", str(runner.notebooks_dir())]
    assert "execution" not in cell.metadata  # no timing: an unchanged result, an unchanged file
