"""The report is rebuilt only when what it is built from changed (issue 14: a no-op rerun).

``build_site`` (Sphinx, ~30 s) is replaced by a recorder here: the test is about when
``build_report`` calls it, not about the site (tests/test_site.py builds real sites).
"""

from __future__ import annotations

import pytest

from cluster_research.pipeline import report, site


@pytest.fixture
def outputs(tmp_path):
    out = tmp_path / "outputs"
    (out / "notebooks").mkdir(parents=True)
    (out / "notebooks" / "01_paper_claims.ipynb").write_text("{}", encoding="utf-8")
    (out / "tables" / "01_paper_claims").mkdir(parents=True)
    (out / "tables" / "01_paper_claims" / "claims.csv").write_text("a\n1\n", encoding="utf-8")
    return out


@pytest.fixture
def calls(monkeypatch):
    made = []

    def fake_build_site(out, dest, index=None, allow_incomplete=False, jobs=1, problems=None):
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "index.html").write_text("<html></html>", encoding="utf-8")
        made.append(out)
        return site.SiteResult(site_dir=dest, pages=["index.html"],
                               missing=[], user_runs=[])

    monkeypatch.setattr(site, "build_site", fake_build_site)
    return made


def test_unchanged_outputs_reuse_the_site_and_a_change_rebuilds_it(outputs, calls):
    first = report.build_report(outputs, allow_incomplete=True)
    assert len(calls) == 1 and not first.reused
    second = report.build_report(outputs, allow_incomplete=True)
    assert len(calls) == 1 and second.reused and "not rebuilt" in str(second)
    assert second.index == first.index and second.notebooks == first.notebooks
    # one byte of one table changes: the site is rebuilt
    (outputs / "tables" / "01_paper_claims" / "claims.csv").write_text("a\n2\n", encoding="utf-8")
    third = report.build_report(outputs, allow_incomplete=True)
    assert len(calls) == 2 and not third.reused
    # a deleted site is rebuilt even though its inputs did not change
    (outputs / "report" / "index.html").unlink()
    report.build_report(outputs, allow_incomplete=True)
    assert len(calls) == 3


def test_inputs_key_covers_notebooks_figures_and_the_index(outputs, tmp_path):
    k0 = report.site_inputs_key(outputs)
    (outputs / "figures" / "x").mkdir(parents=True)
    (outputs / "figures" / "x" / "f.png").write_bytes(b"\x89PNG")
    k1 = report.site_inputs_key(outputs)
    (outputs / "notebooks" / "01_paper_claims.ipynb").write_text('{"a": 1}', encoding="utf-8")
    k2 = report.site_inputs_key(outputs)
    other_index = tmp_path / "index.yaml"
    other_index.write_text("[]\n", encoding="utf-8")
    k3 = report.site_inputs_key(outputs, index=other_index)
    assert len({k0, k1, k2, k3}) == 4
    assert report.site_inputs_key(outputs, index=other_index) == k3  # deterministic
    assert report.site_inputs_key(outputs, allow_incomplete=True) != k2


def test_site_key_ignores_which_runs_the_last_reproduction_executed(tmp_path):
    """Issue 23: a cold reproduction followed by the same command must rebuild nothing; the
    manifest's ``last_reproduce`` summary (executed vs reused) differs between the two, so it is
    not part of the site's key, while a run's own record is."""
    import json

    from cluster_research.pipeline.report import site_inputs_key

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "a.ipynb").write_text("{}", encoding="utf-8")
    man = tmp_path / "manifest.json"
    runs = {"a": {"status": "ok", "files": ["notebooks/a.ipynb"]}}
    man.write_text(json.dumps({"last_reproduce": {"executed": ["a"], "reused": []},
                               "runs": runs}), encoding="utf-8")
    k1 = site_inputs_key(tmp_path)
    man.write_text(json.dumps({"last_reproduce": {"executed": [], "reused": ["a"]},
                               "runs": runs}), encoding="utf-8")
    assert site_inputs_key(tmp_path) == k1
    runs["a"]["status"] = "failed"
    man.write_text(json.dumps({"last_reproduce": {"executed": [], "reused": ["a"]},
                               "runs": runs}), encoding="utf-8")
    assert site_inputs_key(tmp_path) != k1
