"""Run outputs are keyed by run, never by folder prefix (issue 29.1).

Tiny temporary notebooks only; the real notebooks are never executed here.
"""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

import cluster_research as cr
from cluster_research import pipeline
from cluster_research.errors import ParameterError
from cluster_research.pipeline import runner
from cluster_research.pipeline.runs import check_not_nested, list_jobs, nested_names

CELL = ("import pandas as pd, cluster_research as cr\n"
        "cr.outputs.save_table(pd.DataFrame({'year': [2015], 'hhi': [0.1], 'cr4': [0.5], "
        "'top4': [region]}), 'concentration')")


def _tiny(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    p = nbformat.v4.new_code_cell('region = "上海"')
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell(CELL)]
    nbformat.write(nb, path)
    return path


def _top4(out, run):
    return pd.read_csv(out / "tables" / run / "concentration.csv")["top4"].tolist()


def test_nested_names_are_path_prefixes_only():
    assert nested_names(["a", "a/b", "ab/c", "a/b/c"]) == [
        ("a", "a/b"), ("a", "a/b/c"), ("a/b", "a/b/c")]
    assert nested_names(["a", "ab", "a_b/c"]) == []
    with pytest.raises(ParameterError, match="'a' and run 'a/x'"):
        check_not_nested(["a"], ["a/x"])
    with pytest.raises(ParameterError, match="'a' and run 'a/x'"):
        check_not_nested(["a/x"], ["a"])
    check_not_nested(["a/y"], ["a/x", "b"])  # siblings are fine


def test_shipped_run_files_have_no_nested_run_names():
    names = [j.name for j in list_jobs()]
    assert len(names) == len(set(names))
    assert nested_names(names) == []


def test_single_run_inside_a_fanout_folder_is_refused_and_keeps_the_fanout(tmp_path):
    nb = _tiny(tmp_path / "fan.ipynb")
    run = tmp_path / "fan.yaml"
    run.write_text(f"notebook: {nb}\nfanout:\n  region: [北京, 上海]\n", encoding="utf-8")
    out = tmp_path / "out"
    res = pipeline.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert [r.name for r in res] == ["fan/110000_Beijing", "fan/310000_Shanghai"]
    # the default name of the notebook without parameters is "fan": the fan-out's folder
    with pytest.raises(ParameterError, match="'fan' and run 'fan/110000_Beijing'"):
        runner.run_notebook(nb, output_dir=out)
    with pytest.raises(ParameterError, match="share the folder fan/"):
        runner.run_notebook(nb, {"region": "北京"}, output_dir=out, name="fan")
    assert _top4(out, "fan/110000_Beijing") == ["北京"]
    assert _top4(out, "fan/310000_Shanghai") == ["上海"]
    assert not (out / "notebooks" / "fan.ipynb").exists()
    assert "fan" not in cr.pipeline.read_manifest(out)["runs"]
    # and a run inside an existing single run's folder is refused too
    runner.run_notebook(nb, output_dir=out, name="single")
    with pytest.raises(ParameterError, match="'single' and run 'single/x'"):
        runner.run_notebook(nb, output_dir=out, name="single/x")


def test_outputs_are_replaced_per_run_leaf(tmp_path):
    """Even bypassing the name check, a run replaces its own files, never a sub-folder."""
    nb = _tiny(tmp_path / "t.ipynb")
    out = tmp_path / "out"
    runner.execute(nb, {"region": "北京"}, out, "p/child")
    (out / "tables" / "p").mkdir(exist_ok=True)
    (out / "tables" / "p" / "stale.csv").write_text("x\n1\n", encoding="utf-8")
    runner.execute(nb, {"region": "天津"}, out, "p")
    assert _top4(out, "p/child") == ["北京"]
    assert (out / "notebooks" / "p" / "child.ipynb").exists()
    assert _top4(out, "p") == ["天津"]
    assert not (out / "tables" / "p" / "stale.csv").exists()  # the run's own old file goes


def test_plan_reruns_a_run_whose_output_files_are_missing(tmp_path):
    nb = _tiny(tmp_path / "t.ipynb")
    run = tmp_path / "t.yaml"
    run.write_text(f"notebook: {nb}\nparameters:\n  region: 北京\n", encoding="utf-8")
    out = tmp_path / "out"
    (a,) = pipeline.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert not a.reused
    rec = cr.pipeline.read_manifest(out)["runs"]["t"]
    assert rec["files"] == ["notebooks/t.ipynb", "tables/t/concentration.csv"]
    jobs = list_jobs([run])
    assert runner.plan(jobs, out)[1] == [0]  # up to date: reused
    (out / "tables" / "t" / "concentration.csv").unlink()
    assert runner.plan(jobs, out)[0] == [0]  # a file is missing: executes again
    (b,) = pipeline.run_all(jobs=1, output_dir=out, runs=[run], progress=False)
    assert not b.reused and _top4(out, "t") == ["北京"]
