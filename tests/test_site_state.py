"""The site shows what failed, and is replaced atomically (issue 29.3).

Small sites built from made-up executed notebooks (no real notebook is executed).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from cluster_research.pipeline import site

INDEX = [{"section": "S", "id": "N1", "kind": "notebook", "run": "01_paper_claims",
          "title": "01 · claims"},
         {"section": "S", "id": "N5", "kind": "notebook", "run": "05_strategy_indicators",
          "title": "05 · indicators"}]


def _outputs(tmp_path, error="cell 3: ValueError: <b>boom</b>"):
    out = tmp_path / "outputs"
    for run in ("01_paper_claims", "05_strategy_indicators"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {run}\n\ntext of {run}")]
        (out / "notebooks").mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / "notebooks" / f"{run}.ipynb")
    manifest = {"runs": {"01_paper_claims": {"status": "failed", "error": error},
                         "05_strategy_indicators": {"status": "ok", "key": "x", "inputs": {}}}}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def test_failed_and_stale_runs_are_marked_whatever_builds_the_site(tmp_path):
    out = _outputs(tmp_path)
    res = site.build_site(out, tmp_path / "report", index=INDEX, api=False,
                          allow_incomplete=True)
    index = (res.site_dir / "index.html").read_text("utf-8")
    assert "failed, are stale or are missing" in index
    assert "01_paper_claims: failed" in index
    assert "05_strategy_indicators: stale" in index  # its recorded key is not the current one
    assert "<b>boom</b>" not in index and "&lt;b&gt;boom&lt;/b&gt;" in index
    page = (res.site_dir / "runs" / "01_paper_claims.html").read_text("utf-8")
    assert "This run failed" in page and "from an earlier run" in page
    stale = (res.site_dir / "runs" / "05_strategy_indicators.html").read_text("utf-8")
    assert "This run is stale" in stale and "from an earlier run" in stale


def test_no_mark_without_problems(tmp_path):
    out = _outputs(tmp_path)
    res = site.build_site(out, tmp_path / "report", index=INDEX, api=False, problems=[])
    assert "failed, are stale" not in (res.site_dir / "index.html").read_text("utf-8")


def _interrupt_copy(monkeypatch, dest_name):
    real = shutil.copytree

    def copy_then_die(src, dst, *a, **k):
        name = Path(dst).name
        if name == dest_name or name.startswith(f".{dest_name}.new-"):
            real(src, dst, *a, ignore=lambda d, names: [n for n in names
                                                         if n.endswith(".html")], **k)
            raise KeyboardInterrupt  # killed half-way through writing the new site
        return real(src, dst, *a, **k)

    monkeypatch.setattr(site.shutil, "copytree", copy_then_die)


def test_a_kill_while_the_site_is_replaced_leaves_the_old_site_and_no_wedge(tmp_path,
                                                                            monkeypatch):
    out = _outputs(tmp_path)
    dest = tmp_path / "report"
    site.build_site(out, dest, index=INDEX, api=False, problems=[])
    old = (dest / "index.html").read_bytes()
    with monkeypatch.context() as m:
        _interrupt_copy(m, "report")
        with pytest.raises(KeyboardInterrupt):
            site.build_site(out, dest, index=INDEX, api=False, problems=[])
    assert (dest / "index.html").read_bytes() == old  # the old site, whole
    res = site.build_site(out, dest, index=INDEX, api=False, problems=[])  # no wedge
    assert (res.site_dir / "index.html").is_file()
    assert not list(tmp_path.glob(".report.*"))  # leftovers of the killed swap removed
