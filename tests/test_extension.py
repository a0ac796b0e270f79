"""Tests of the extension: region fan-out, own-data profiles and the HTML report.

No real notebook is executed (nbval does that): the fan-out and the ``profile`` command run
a two-cell notebook; everything else is checked without a kernel.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import pipeline as runner
from cluster_research.errors import ParameterError
from cluster_research.pipeline import report
from cluster_research.__main__ import main

#: Obviously synthetic numbers for a made-up city (never shipped in data/ or notebooks).
SYNTH_YEARS = list(range(2012, 2022))
SYNTH_VALUES = [1.0, 1.8, 3.1, 5.2, 8.0, 11.0, 13.5, 15.0, 15.8, 16.1]


def write_city(path, rows=None, header="region,year,value,unit"):
    rows = rows if rows is not None else [f"示例市,{y},{v},亿元"
                                          for y, v in zip(SYNTH_YEARS, SYNTH_VALUES)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- fan-out


def test_fanout_expands_to_31_validated_runs():
    path = runner.notebooks_dir() / "params" / "06_region_profile.yaml"
    jobs = runner.expand_run(path)
    regions = cr.data.regions()
    assert len(jobs) == 31
    assert {j.parameters["region"] for j in jobs} == set(regions.name_zh)
    assert len({j.name for j in jobs}) == 31
    for job in jobs:
        assert re.fullmatch(r"06_region_profile/\d{6}_[A-Za-z_]+", job.name), job.name
        assert job.notebook.name == "06_region_profile.ipynb"
        merged = runner.validate_parameters(job.notebook, job.parameters)
        assert merged["csv_path"] == ""
    assert "06_region_profile/310000_Shanghai" in {j.name for j in jobs}
    assert "06_region_profile/150000_Inner_Mongolia" in {j.name for j in jobs}
    # list_jobs expands every run file: the fan-out plus the single runs
    names = [j.name for j in runner.list_jobs()]
    assert sum(n.startswith("06_region_profile/") for n in names) == 31
    assert {"07_cross_region", "08_drivers", "01_paper_claims"} <= set(names)


def test_fanout_list_and_bad_fanouts(tmp_path):
    f = tmp_path / "two.yaml"
    f.write_text("notebook: 06\nfanout:\n  region: [北京, Shanghai]\n", encoding="utf-8")
    jobs = runner.expand_run(f)
    # fan-out runs are named after the run file (it owns the folder two/)
    assert [j.name for j in jobs] == ["two/110000_Beijing", "two/310000_Shanghai"]
    assert [j.parameters["region"] for j in jobs] == ["北京", "上海"]
    f.write_text("notebook: 06\nfanout:\n  year: all\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="year"):
        runner.expand_run(f)
    f.write_text("notebook: 06\nfanout:\n  region: all\nparameters:\n  region: 上海\n",
                 encoding="utf-8")
    with pytest.raises(ParameterError, match="fanned out"):
        runner.expand_run(f)
    f.write_text("notebook: 06\nfanout:\n  region: [火星]\n", encoding="utf-8")
    with pytest.raises(cr.data.DataValidationError, match="火星"):
        runner.expand_run(f)


def test_run_all_validates_fanout_before_executing(no_kernel, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("notebook: 06\nfanout:\n  region: all\nparameters:\n  n_bot: 5\n",
                 encoding="utf-8")
    with pytest.raises(ParameterError, match="n_bot.*did you mean 'n_boot'"):
        runner.run_all(jobs=2, output_dir=tmp_path, runs=[f], progress=False)
    assert not (tmp_path / "notebooks").exists()


def _tiny_notebook(path, params, body):
    """A two-cell notebook: a parameters cell ``params`` and one code cell ``body``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


def test_fanout_runs_each_in_a_fresh_kernel(tmp_path):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb", 'region = "上海"',
                        "import pandas as pd, cluster_research as cr\n"
                        "cr.outputs.save_table(pd.DataFrame({'year': [2015], 'hhi': [0.1], "
                        "'cr4': [0.5], 'top4': [region]}), 'concentration')")
    f = tmp_path / "two.yaml"
    f.write_text(f"notebook: {nb}\nfanout:\n  region: [北京, 天津]\n", encoding="utf-8")
    results = runner.run_all(jobs=1, output_dir=tmp_path, runs=[f], progress=False)
    assert [r.name for r in results] == ["two/110000_Beijing", "two/120000_Tianjin"]
    for res, region in zip(results, ["北京", "天津"]):
        assert res.output_notebook == tmp_path / "notebooks" / f"{res.name}.ipynb"
        out = nbformat.read(res.output_notebook, as_version=4)
        code = [c for c in out.cells if c.cell_type == "code"]
        assert not [o for c in code for o in c.outputs if o.output_type == "error"]
        # each run has a kernel of its own: its counter starts at 1
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
        # each run wrote its own region's table (no state leaks from the previous run)
        table = pd.read_csv(tmp_path / "tables" / res.name / "concentration.csv")
        assert table["top4"].tolist() == [region]


# ---------------------------------------------------------------- own data


def test_profile_series_reads_a_user_csv(tmp_path):
    p = write_city(tmp_path / "city.csv")
    s = runner.profile_series(p)
    assert s.attrs["region"] == "示例市" and s.attrs["unit"] == "亿元"
    assert s.index.tolist() == SYNTH_YEARS and s.tolist() == SYNTH_VALUES
    # approximate values, targets and other periods are not used as actuals
    rows = [f"示例市,{y},{v},亿元,FY,exact" for y, v in zip(SYNTH_YEARS, SYNTH_VALUES)]
    rows += ["示例市,2025,99,亿元,FY,target", "示例市,2022,9,亿元,H1,exact",
             "示例市,2023,,亿元,FY,exact"]
    p2 = write_city(tmp_path / "c2.csv", rows, "region,year,value,unit,period,qualifier")
    s2 = runner.profile_series(p2)
    assert s2.index.tolist() == SYNTH_YEARS and s2.attrs["gaps"] == [2023]
    assert s2.attrs["n_dropped"] == 2


@pytest.mark.parametrize(("rows", "header", "match"), [
    (["示例市,2012,abc,亿元"], None, r"row 2.*'value'.*abc"),
    (["示例市,2012,1,furlongs"], None, "furlongs"),
    ([f"示例市,{y},1,亿元" for y in range(2012, 2016)], None, "at least 5"),
    (["示例市,2012,1,亿元", "另一市,2013,2,亿元"], None, "one region"),
    ([f"示例市,{y},1,亿元,{s}" for y in range(2012, 2018) for s in ("a", "b")],
     "region,year,value,unit,series", "csv_series"),
])
def test_profile_series_rejects_bad_files(tmp_path, rows, header, match):
    p = write_city(tmp_path / "bad.csv", rows, header or "region,year,value,unit")
    with pytest.raises(cr.data.DataValidationError, match=match) as ei:
        runner.profile_series(p)
    assert str(p) in str(ei.value)


def test_malformed_csv_stops_before_papermill(no_kernel, tmp_path, capsys):
    bad = write_city(tmp_path / "bad.csv", ["示例市,2012,1 234,亿元"])
    with pytest.raises(cr.data.DataValidationError, match="row 2"):
        runner.run_notebook("06", {"csv_path": str(bad)}, output_dir=tmp_path)
    assert main(["profile", str(bad), "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 2" in err and "'value'" in err
    assert main(["run", "06", "-p", "csv_path", str(bad)]) == 2
    assert main(["profile", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    assert not (tmp_path / "notebooks").exists()


def test_profile_runs_notebook_06_on_the_users_csv(tmp_path, monkeypatch, capsys):
    """``profile`` hands notebook 06 the CSV (relative to the caller's cwd) under user_<stem>.

    The notebook is replaced by a two-cell one reading the CSV as notebook 06 does; what
    notebook 06 computes is the library's (tested there) and nbval executes it.
    """
    from cluster_research.pipeline import cli

    write_city(tmp_path / "my city.csv")
    tiny = _tiny_notebook(tmp_path / "tiny.ipynb",
                          'csv_path = ""\ncsv_series = ""\nn_boot = 200',
                          "import cluster_research as cr\n"
                          "s = cr.pipeline.profile_series(csv_path, csv_series or None)\n"
                          "print(s.attrs['region'], len(s), n_boot)")
    calls, real_run = [], cli.run_notebook

    def run_tiny(nb_path, params, **kw):
        calls.append((nb_path.name, dict(params), kw["name"]))
        return real_run(tiny, params, **kw)

    monkeypatch.setattr(cli, "run_notebook", run_tiny)
    monkeypatch.chdir(tmp_path)  # a relative path is resolved against the caller's cwd
    out = tmp_path / "out"
    assert main(["profile", "my city.csv", "-p", "n_boot", "50", "--output-dir", str(out)]) == 0
    assert "06_region_profile/user_my_city.ipynb" in capsys.readouterr().out
    [(nb_name, params, name)] = calls
    assert nb_name == "06_region_profile.ipynb" and name == "06_region_profile/user_my_city"
    assert params["n_boot"] == 50
    executed = nbformat.read(out / "notebooks" / "06_region_profile" / "user_my_city.ipynb",
                             as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert text.strip() == f"示例市 {len(SYNTH_YEARS)} 50"


# ---------------------------------------------------------------- report


def test_report_index_lists_every_saved_output():
    items = report.load_index()
    assert len({i["id"] for i in items}) == len(items)
    runs = {r.stem for r in runner.list_runs()}
    for it in items:
        base = it["run"].split("/")[0]
        assert base in runs, f"{it['id']}: run {it['run']} has no params file"
    # every figure/table name saved by the notebooks (literal names in the generators,
    # default parameters for formatted names) is in the list
    named = {(i["run"].split("/")[0], i["name"]) for i in items if i["name"]}
    gens = sorted(runner.notebooks_dir().glob("[0-9][0-9]_*.py"))
    text = "\n".join(g.read_text(encoding="utf-8") for g in gens)
    pattern = r'(?:save_table|viz\.save)\((?:[^()]|\([^()]*\))*?,\s*"(\w+)"\)'
    saved = set(re.findall(pattern, text, flags=re.DOTALL))
    assert {"claims", "robustness", "growth_fits", "stage_heatmap"} <= saved
    listed = {n for _, n in named}
    assert saved - listed == set(), f"saved but not in report_index.yaml: {saved - listed}"
    assert {"map_stage_2024", "map_ecommerce_sales_2024"} <= listed


def _fake_outputs(root, items, skip=()):
    for it in items:
        if it["id"] in skip:
            continue
        runs = ([f"{it['run'][:-2]}/110000_Beijing", f"{it['run'][:-2]}/120000_Tianjin"]
                if it["run"].endswith("/*") else [it["run"]])
        for run in runs:
            if it["kind"] == "notebook":
                nb = nbformat.v4.new_notebook(cells=[
                    nbformat.v4.new_markdown_cell(f"# {it['title']}"),
                    nbformat.v4.new_code_cell("secret_code = 1")])
                path = root / "notebooks" / f"{run}.ipynb"
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, path)
            else:
                sub, ext = ("figures", "png") if it["kind"] == "figure" else ("tables", "csv")
                path = root / sub / run / f"{it['name']}.{ext}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("x\n", encoding="utf-8")


def test_report_needs_executed_notebooks(tmp_path, capsys):
    # the site itself (pages per run, numbered items, missing items, offline) is tested in
    # tests/test_site.py; here: no executed notebooks -> a typed error and exit status 2
    assert main(["report", "--output-dir", str(tmp_path / "empty")]) == 2
    assert "reproduce" in capsys.readouterr().err