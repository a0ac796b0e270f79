"""Every notebook is paired with a jupytext py:percent script, and the two are in sync.

The ``.py`` file is the reviewed source, the ``.ipynb`` keeps the outputs that nbval
checks. A pair is in sync when jupytext reading the ``.py`` gives the same cells (type,
source, tags) as the ``.ipynb``; ``jupytext --sync notebooks/*.ipynb`` (run by
``make refresh-notebooks``) repairs a pair edited on one side.

The comparison uses jupytext's public ``jupytext.read`` and
``jupytext.compare.compare_notebooks`` (the check behind ``jupytext --test``).
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.compare import NotebookDifference, compare_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TEXT_FORMAT = "py:percent"


def _cells(nb):
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


def test_repo_config_pairs_every_notebook_with_a_percent_script():
    config = jupytext.config.find_jupytext_configuration_file(str(ROOT / "notebooks"))
    assert config is not None and Path(config).name == "jupytext.toml"
    text = Path(config).read_text(encoding="utf-8")
    assert 'formats = "ipynb,py:percent"' in text


def test_no_generators_left():
    assert not list((ROOT / "notebooks").glob("_build*.py"))


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_pair_exists_and_is_in_sync(ipynb):
    script = ipynb.with_suffix(".py")
    assert script.exists(), f"{ipynb.name} has no paired {script.name}: run " \
        f"jupytext --set-formats ipynb,py:percent {ipynb.relative_to(ROOT)}"
    nb = jupytext.read(ipynb)
    text = jupytext.read(script, fmt=TEXT_FORMAT)
    assert _cells(text) == _cells(nb), (
        f"{script.name} and {ipynb.name} differ: run jupytext --sync {ipynb.relative_to(ROOT)}")
    compare_notebooks(text, nb, fmt=TEXT_FORMAT)  # raises on any other difference of inputs
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_conventions(ipynb):
    """Parameters cell first, then cr notebook_setup(); thin: no function definitions."""
    nb = jupytext.read(ipynb.with_suffix(".py"), fmt=TEXT_FORMAT)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"], ipynb.name
    assert code[1].source.rstrip().endswith("notebook_setup()"), ipynb.name
    for c in code:
        assert not any(line.startswith(("def ", "class ")) for line in c.source.splitlines()), (
            f"{ipynb.name}: function or class defined in a notebook cell")


def test_out_of_sync_pair_is_detected(tmp_path):
    """The check fails when one side is edited (it must be able to fail)."""
    ipynb = NOTEBOOKS[0]
    nb = jupytext.read(ipynb)
    edited = jupytext.reads(jupytext.writes(nb, fmt=TEXT_FORMAT).replace(
        "notebook_setup()", "notebook_setup()\nprint('edited')", 1), fmt=TEXT_FORMAT)
    assert _cells(edited) != _cells(nb)
    with pytest.raises(NotebookDifference):
        compare_notebooks(edited, nb, fmt=TEXT_FORMAT)


def _sync_guard():
    spec = importlib.util.spec_from_file_location("sync_guard", ROOT / "notebooks" / "sync_guard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sync_guard_passes_on_the_committed_pairs():
    assert _sync_guard().conflicts(NOTEBOOKS) == []


def test_sync_guard_stops_when_both_files_were_edited(tmp_path, monkeypatch):
    guard = _sync_guard()
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    src = NOTEBOOKS[0]
    ipynb, script = nbdir / src.name, nbdir / src.with_suffix(".py").name
    ipynb.write_bytes(src.read_bytes())
    script.write_bytes(src.with_suffix(".py").read_bytes())
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    monkeypatch.setattr(guard, "ROOT", tmp_path)
    script.write_text(script.read_text(encoding="utf-8") + "\n# %%\nprint('py edit')\n",
                      encoding="utf-8")
    assert guard.conflicts([ipynb]) == []  # one side edited: jupytext --sync may proceed
    nb = jupytext.read(ipynb)
    nb.cells.append(nbformat.v4.new_code_cell("print('ipynb edit')"))
    jupytext.write(nb, ipynb)
    assert len(guard.conflicts([ipynb])) == 1  # both edited: stop
