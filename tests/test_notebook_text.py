"""The generated text of notebooks run with other parameters than the defaults (issue 26 item 1).

Each notebook is executed by the package's runner with a non-default parameter set; the printed
and generated-markdown outputs are then read as a referee would, and every check is a fact of
the parameters themselves (the region, the cut-off year), not a value of the code under test:
a sentence naming the default region, or the default years, in another run is a bug.
"""

from __future__ import annotations

import nbformat
import pytest

from cluster_research import pipeline


def _text(path) -> str:
    """The printed and displayed text of an executed notebook."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.output_type == "stream":
                out.append(o.text)
            else:
                data = o.get("data", {})
                out.append(data.get("text/markdown", "") or data.get("text/plain", ""))
    return "\n".join(out)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    cases = {"02_2011": ("02", {"through_year": 2011}),
             "03_zhejiang": ("03", {"region": "浙江", "years": [2020, 2024], "n_boot": 50}),
             "05_beijing": ("05", {"region": "北京", "year_from": 2018, "year_to": 2022})}
    return {k: _text(pipeline.run_notebook(nb, params, output_dir=out, name=k).output_notebook)
            for k, (nb, params) in cases.items()}


def test_02_with_the_authors_information_speaks_of_four_values_up_to_2010(runs):
    text = runs["02_2011"]
    assert "4 actual values 2002-2010 (cut-off 2011)" in text
    assert "AICc undefined for every model" in text  # four values: no AICc correction exists
    assert "lowest AICc" not in text


def test_03_for_another_province_makes_no_verdict_against_the_papers_shanghai(runs):
    text = runs["03_zhejiang"]
    assert "浙江" in text and "2020" in text and "2024" in text
    assert "The paper judged Shanghai in 2010-11 only" in text
    assert "REPRODUCED" not in text.upper().replace("NOT REPRODUCED", "")
    assert "上海 2010" not in text and "Shanghai 2010-11)" not in text


def test_05_for_another_province_ranks_that_province_in_its_years(runs):
    text = runs["05_beijing"]
    assert "北京市 2018-2022" in text
    assert "2015" not in text.split("北京市 2018-2022", 1)[1].split("\n", 3)[0]
    assert "上海" not in text


def test_the_readmes_run_examples_execute_and_speak_of_their_place(tmp_path):
    """Issue 26 item 3: every ``run`` line of the README runs as written (exit 0) and the
    executed notebook names the place the line asks for."""
    import re
    import shlex
    from pathlib import Path

    from cluster_research.pipeline.cli import main

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    lines = [ln.split("#")[0] for ln in readme.splitlines()
             if ln.startswith(".venv/bin/python -m cluster_research run ")]
    assert len(lines) >= 3
    names = {"Zhejiang": "浙江"}
    for k, ln in enumerate(lines):
        argv = shlex.split(ln.split("-m cluster_research ", 1)[1])
        out = tmp_path / f"run{k}"
        assert main([*argv, "--output-dir", str(out), "--name", f"example{k}"]) == 0, ln
        place = re.search(r"-p (?:region|city) (\S+)", ln).group(1)
        text = _text(out / "notebooks" / f"example{k}.ipynb")
        assert names.get(place, place) in text, ln
