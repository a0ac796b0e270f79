"""The README must stay true: its commands, its figure/table list and its CI command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cluster_research import pipeline as runner
from cluster_research.pipeline import report
from cluster_research.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.MULTILINE | re.DOTALL)
    assert m, f"README has no section '## {title}'"
    return m.group(1)


def test_two_commands_come_first():
    first = README.index("## ")
    assert README[first:].startswith("## The two commands")
    block = _section("The two commands")
    assert "make reproduce" in block and "make test" in block


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.startswith("#")]
    assert "make test" in commands
    assert "make test" in _section("The two commands")


def test_makefile_has_the_targets_the_readme_names():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", make, flags=re.MULTILINE))
    named = set(re.findall(r"`make ([a-z-]+)`", README))
    named |= set(re.findall(r"`([a-z-]+)`", _section("The two commands").split("`make help`")[1]
                            .split(")")[0]))
    assert named, "README names no make targets"
    assert named <= targets, f"README names targets the Makefile lacks: {named - targets}"


def test_figure_table_list_matches_the_report_index():
    rows = re.findall(r"^\| ([NTF]\d+) \| (\S+) \| (.+?) \|$", _section("Figures and tables"),
                      flags=re.MULTILINE)
    items = report.load_index()
    assert [r[0] for r in rows] == [i["id"] for i in items], "ids or order differ"
    for (rid, run, _title), item in zip(rows, items):
        assert run == item["run"], f"{rid}: README says run {run}, the index {item['run']}"


def test_runs_named_in_the_readme_exist():
    runs = {p.stem for p in runner.list_runs()}
    for run in set(re.findall(r"^\| [NTF]\d+ \| (\S+) \|", README, flags=re.MULTILINE)):
        assert run.split("/")[0] in runs, run


@pytest.mark.parametrize("sub", ["list", "run", "reproduce", "profile", "report", "refresh",
                                 "build-data"])
def test_cli_subcommands_in_readme_exist(sub, capsys):
    assert re.search(rf"\b{re.escape(sub)}\b", _section("Description of the code"))
    with pytest.raises(SystemExit) as ei:
        main([sub, "--help"])
    assert ei.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_claim_counts_in_readme_match_check_all():
    from cluster_research import claims

    table = claims.check_all()
    counts = table["verdict"].value_counts()
    m = re.search(r"(\d+) claims\): (\d+) reproduced, (\d+) not reproduced, (\d+) not checkable",
                  README)
    assert m, "README does not state the claim counts"
    n, rep, notrep, nc = map(int, m.groups())
    assert n == len(table)
    assert (rep, notrep, nc) == (counts.get("reproduced", 0), counts.get("not reproduced", 0),
                                 counts.get("not checkable", 0))


def test_conda_environment_name_in_readme_is_the_one_in_environment_yml():
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    m = re.search(r"conda activate\s+(\S+?)`", README)
    assert m and m.group(1) == env["name"]


def test_readme_run_examples_pass_the_parameter_checks(monkeypatch):
    """Issue 26: every `python -m cluster_research run ...` line of the README is a valid
    command: the command line accepts it and its parameters pass the checks made before any
    kernel starts (the kernel itself is replaced by a stub that validates and stops)."""
    import shlex

    from cluster_research.pipeline import cli
    from cluster_research.pipeline.params import validate_parameters

    seen = []

    def stub(nb_path, params, **kw):
        seen.append(validate_parameters(nb_path, params))
        raise KeyboardInterrupt  # stop before any kernel; main() answers 130

    monkeypatch.setattr(cli, "run_notebook", stub)
    lines = [ln.split("#")[0] for ln in README.splitlines()
             if ln.startswith(".venv/bin/python -m cluster_research run ")]
    assert len(lines) >= 3
    for ln in lines:
        argv = shlex.split(ln.split("-m cluster_research ", 1)[1])
        assert main(argv) == 130, ln
    assert len(seen) == len(lines)
