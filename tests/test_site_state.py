"""The report is rebuilt only when what it reads changed, and then incrementally (issue 23).

A second ``build_report`` with nothing changed does not start Sphinx; a changed notebook
re-renders its page and the landing page that quotes it (glue); a build killed before it
finished is redone. Small builds from made-up outputs (see test_site.py).
"""

from __future__ import annotations

import nbformat
import pytest
import sphinx.application
import test_site
from test_site import _glue, make_outputs

from cluster_research.errors import ReportError
from cluster_research.pipeline import report

small_project, project = test_site.small_project, test_site.project  # the fixtures


def _no_sphinx(*args, **kwargs):
    raise AssertionError("Sphinx started although nothing changed")


def test_unchanged_outputs_start_no_sphinx_and_a_change_rebuilds(project, tmp_path, monkeypatch):
    out = make_outputs(tmp_path / "outputs")
    first = report.build_report(out)
    assert first.built and "not rebuilt" not in str(first)
    mtime = first.index.stat().st_mtime_ns
    with monkeypatch.context() as m:
        m.setattr(sphinx.application, "Sphinx", _no_sphinx)
        second = report.build_report(out)
    assert not second.built and "not rebuilt" in str(second)
    assert second.index == first.index and first.index.stat().st_mtime_ns == mtime
    # the notebook quoted by the landing page changes: the landing page follows
    nb = nbformat.read(out / "notebooks" / "01_paper_claims.ipynb", as_version=4)
    nb.cells[1].outputs[1] = _glue("claims_n", 17)
    nbformat.write(nb, out / "notebooks" / "01_paper_claims.ipynb")
    # and a title of the list: the pages, unchanged themselves, get it in their navigation
    index = tmp_path / "index.yaml"
    index.write_text(test_site.INDEX.replace("title: \"Regions\"", "title: \"Every region\""), "utf-8")
    monkeypatch.setattr(report, "INDEX", index)
    third = report.build_report(out)
    assert third.built and ">17<" in third.index.read_text(encoding="utf-8").replace(" ", "")
    shanghai = third.index.parent / "notebooks" / "06_region_profile" / "310000_Shanghai.html"
    assert "Every region" in shanghai.read_text(encoding="utf-8")


def test_a_build_killed_before_its_end_is_done_again(project, tmp_path, monkeypatch):
    out = make_outputs(tmp_path / "outputs")
    report.build_report(out)
    (out / "report" / "inputs.sha256").unlink()  # what a kill during the build leaves
    (out / "report" / "html" / "index.html").unlink()
    again = report.build_report(out)
    assert again.built and again.index.is_file()


def test_moved_outputs_still_build(project, tmp_path):
    out = make_outputs(tmp_path / "a")
    report.build_report(out)
    moved = out.rename(tmp_path / "b")
    res = report.build_report(moved)  # the links of report/src follow the outputs
    assert res.built and (moved / "report" / "src" / "figures").resolve() == moved / "figures"
    assert "310000_Shanghai" in (res.index.parent / "sections" / "02.html").read_text("utf-8")


@pytest.mark.parametrize("bad", ["sections: 3\n", "sections:\n  - {title: S, items: [{id: X}]}\n",
                                 ("sections:\n  - title: S\n    items:\n"
                                  "      - {id: T1, kind: table, run: r, title: t}\n")])
def test_malformed_figure_table_list_is_refused(tmp_path, bad):
    (tmp_path / "i.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ReportError):
        report.load_index(tmp_path / "i.yaml")
