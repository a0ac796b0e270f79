"""The generated text of notebooks run with other parameters than the defaults (issue 26 item 1).

Every notebook of ``notebooks/`` is executed by the package's runner with at least two
non-default parameter sets (01 has one parameter, ``lang``, so one set), chosen cheap (few
bootstrap replicates, small simulated panels, short year ranges, indicators whose panel fits
are quick). The printed and
generated-markdown outputs, and the "What this shows" cell, are then read as a referee would;
every check is a fact of the parameters themselves (the region, the years, the cut-off, the
threshold), not a value of the code under test: a sentence naming the default region, the
default years or the default threshold in another run is a bug. The runs execute two at a
time (one kernel each, each in its own output folder).
"""

from __future__ import annotations

import concurrent.futures as cf
import re
import shlex
from pathlib import Path

import nbformat
import pytest

from cluster_research import data, pipeline

CONCLUSIONS = "## What this shows"


def _text(nb) -> str:
    """The printed and displayed text of an executed notebook (a path or a notebook)."""
    nb = nb if isinstance(nb, nbformat.NotebookNode) else nbformat.read(nb, as_version=4)
    out = []
    for c in nb.cells:
        prev = None
        for o in c.get("outputs", []):
            if o.output_type == "stream" and o.name == prev:
                out[-1] += o.text  # one print can arrive in pieces: the kernel flushes on a timer
                continue
            prev = o.name if o.output_type == "stream" else None
            if o.output_type == "stream":
                out.append(o.text)
            elif o.output_type == "error":
                out.append(f"{o.ename}: {o.evalue}")
            else:
                d = o.get("data", {})
                out.append(d.get("text/markdown", "") or d.get("text/plain", ""))
    return "\n".join(out)


def _conclusions(path) -> str:
    """The "What this shows" markdown cell and the outputs of the cells after it."""
    nb = nbformat.read(path, as_version=4)
    at = max(i for i, c in enumerate(nb.cells)
             if c.cell_type == "markdown" and c.source.startswith(CONCLUSIONS))
    return nb.cells[at].source + "\n" + _text(nbformat.v4.new_notebook(cells=nb.cells[at + 1:]))


def _user_csv(path):
    """深圳's GDP 2010-2017 (the NBS major-city series shipped with the package) without 2013:
    a user's city series with a one-year gap."""
    gdp = data.load("major_cities_gdp")
    rows = gdp[(gdp.city == "深圳") & gdp.year.between(2010, 2017) & (gdp.year != 2013)]
    path.write_text("region,year,value,unit\n" + "".join(
        f"深圳,{r.year},{r.value},{r.unit}\n" for r in rows.itertuples()), encoding="utf-8")
    return str(path)


USER_CSV = "<the user's CSV>"  # replaced by the file _user_csv writes
_SMALL_BENCHMARK = {"methods": ["pooled"], "noises": [0.15], "truths": ["logistic"],
                    "designs": ["independent"], "n_regions": 10, "n_years": 10,
                    "realtime_methods": [], "n_boot": 20, "nbs_check": False}
#: run name -> (notebook, parameters)
CASES = {
    "01_en": ("01", {"lang": "en"}),
    "02_2011": ("02", {"through_year": 2011}),
    "02_2016": ("02", {"through_year": 2016, "models": ["logistic", "gompertz"], "lang": "en"}),
    "03_zhejiang": ("03", {"region": "浙江", "years": [2020, 2024], "n_boot": 50}),
    "04_two": ("04", {"highlight_districts": ["黄浦", "Jing'an"], "lang": "en"}),
    "04_one": ("04", {"highlight_districts": ["崇明区"]}),
    "05_beijing": ("05", {"region": "北京", "year_from": 2018, "year_to": 2022}),
    "05_guangdong": ("05", {"region": "Guangdong", "year_from": 2016, "year_to": 2019,
                            "lang": "en", "map_indicator": "broadband_users"}),
    "06_zhejiang": ("06", {"region": "浙江", "year": 2020, "information": "realtime",
                           "indicator": "ecommerce_purchases",  # cheaper real-time fits
                           "n_boot": 20, "benchmark": "北京", "figure_formats": ["png"]}),
    "06_csv": ("06", {"csv_path": USER_CSV, "n_boot": 20, "benchmark": "广东", "lang": "en",
                      "figure_formats": ["png"]}),
    # a level and a ratio; both indicators among the cheapest of the panel to model (about
    # 12 s of stage, real-time and forecast fits each, against 47 s for ecommerce_firms)
    "07_guangdong": ("07", {"year": 2020, "year_from": 2017, "highlight": "广东",
                            "indicator": "mobile_internet_users"}),
    "07_beijing": ("07", {"year": 2019, "year_from": 2016, "highlight": "北京",
                          "indicator": "computers_per_100_people", "lang": "en"}),
    "08_half": ("08", {"break_threshold": -0.5, "dk_maxlags": 2, "lang": "en"}),
    "08_fifth": ("08", {"break_threshold": -0.2, "dk_maxlags": 0}),
    "09_jiangsu": ("09", {"region": "江苏", "year": 2015, "figure_formats": ["png"]}),
    "09_guangzhou": ("09", {"region": "广东", "city": "广州", "year": 2014, "scheme": "quantile",
                            "lang": "en", "figure_formats": ["png"]}),
    "10_hindsight": ("10", _SMALL_BENCHMARK),
    "10_realtime": ("10", {**_SMALL_BENCHMARK, "methods": ["curve"], "noises": [0.08],
                           "truths": ["gompertz"], "designs": ["shifted"], "n_regions": 8,
                           "realtime_methods": ["pooled"], "realtime_noises": [0.15],
                           "realtime_regions": 5}),
    "11_shenzhen": ("11", {"city": "深圳", "lang": "en", "figure_formats": ["png"]}),
}


def _readme_lines() -> list[str]:
    """The README's ``run`` lines, as written (comments cut)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    return [ln.split("#")[0].strip() for ln in readme.splitlines()
            if ln.startswith(".venv/bin/python -m cluster_research run ")]


#: README run line -> (notebook, argv after ``python -m cluster_research``); its runs are also
#: this file's second parameter set of notebooks 03 and 11.
README = {f"readme{k}": ln for k, ln in enumerate(_readme_lines())}


def _readme_run(name: str) -> str:
    """The name of the README run of a notebook (``"03"``)."""
    return next(k for k, ln in README.items() if f" run {name} " in ln + " ")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """name -> (full text, "What this shows" text, output folder) of every case and README
    line, executed two at a time."""
    from cluster_research.pipeline.cli import main

    tmp = tmp_path_factory.mktemp("runs")
    csv = _user_csv(tmp / "shenzhen.csv")

    def one(name):
        out = tmp / name
        if name in README:  # as written, through the command line (exit status 0)
            argv = shlex.split(README[name].split("-m cluster_research ", 1)[1])
            assert main([*argv, "--output-dir", str(out), "--name", name]) == 0, README[name]
            nb = out / "notebooks" / f"{name}.ipynb"
        else:
            stem, params = CASES[name]
            params = {k: csv if v == USER_CSV else v for k, v in params.items()}
            nb = pipeline.run_notebook(stem, params, output_dir=out, name=name).output_notebook
        return name, (_text(nb), _conclusions(nb), str(out))

    # longest first (measured: 03 and 07 about 25-30 s of CPU each, 06 and 09 10-15 s, the
    # others 5-8 s), so that the two workers finish together
    slow = ["03", "07", "06", "09"]
    stem = {**{n: CASES[n][0] for n in CASES},
            **{n: ln.split(" run ", 1)[1].split()[0] for n, ln in README.items()}}
    slow_first = sorted(stem, key=lambda n: slow.index(stem[n]) if stem[n] in slow else 4)
    with cf.ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, slow_first))


def test_every_notebook_has_two_non_default_sets():
    """01 has one parameter (lang): its one non-default value is its one set."""
    from cluster_research.pipeline.params import parameter_models

    NOTEBOOK_PARAMETERS = parameter_models()
    per = {}
    for nb, params in CASES.values():
        per.setdefault(nb, []).append(params)
    for ln in README.values():  # "run 03 -p region 北京 ..." -> {"region": "北京", ...}
        argv = shlex.split(ln.split(" run ", 1)[1])
        per.setdefault(argv[0], []).append(dict(zip(argv[2::3], argv[3::3])))
    assert set(per) == {s.split("_")[0] for s in NOTEBOOK_PARAMETERS}
    assert all(len(v) >= 2 for k, v in per.items() if k != "01"), per
    for stem, model in NOTEBOOK_PARAMETERS.items():  # every set differs from the defaults
        for params in per[stem.split("_")[0]]:
            assert any(model.model_fields[k].default != v for k, v in params.items()), params


@pytest.mark.parametrize("name", [*CASES, *README])
def test_no_run_prints_an_internal_path_or_an_error(runs, name):
    text, _, out = runs[name]
    text = text.replace(str(Path(out).parent / "shenzhen.csv"), "<the user's CSV>")
    assert ".staging" not in text and "PosixPath" not in text and out not in text
    assert "/tmp/" not in text
    assert "Traceback" not in text and "Error: " not in text


def test_01_in_english_defines_the_stages_in_english(runs):
    text = runs["01_en"][0]
    assert "before the lower knee" in text and "after the upper knee" in text
    assert "下拐点前" not in text  # the Chinese definition belongs to lang="zh"


def test_02_with_the_authors_information_speaks_of_four_values_up_to_2010(runs):
    text = runs["02_2011"][0]
    assert "4 actual values 2002-2010 (cut-off 2011)" in text
    assert "AICc undefined for every model" in text  # four values: no AICc correction exists
    assert "lowest AICc" not in text
    # four values: Richards and Bass have no prediction interval, which is not "outside" it
    assert "3 of 3 converged fits; no interval for richards, bass" in text
    assert "outside:" not in text


def test_02_cut_at_2016_fits_only_the_chosen_models_up_to_2016(runs):
    text, summary, _ = runs["02_2016"]
    assert "actual values 2002-2016 (cut-off 2016)" in text
    assert "- logistic:" in summary and "- gompertz:" in summary
    assert "- richards:" not in summary and "- bass:" not in summary
    assert "cut-off 2011" not in text


def _years_outside(text, allowed, ignore=()):
    for phrase in ignore:
        text = text.replace(phrase, "")
    return sorted({int(y) for y in re.findall(r"(?<!\d)(20[0-3]\d)(?!\d)", text)} - set(allowed))


def test_03_for_another_province_makes_no_verdict_against_the_papers_shanghai(runs):
    text = runs["03_zhejiang"][0]
    assert "浙江" in text and "2020" in text and "2024" in text
    assert "The paper judged Shanghai in 2010-11 only" in text
    assert "REPRODUCED" not in text.upper().replace("NOT REPRODUCED", "")
    assert "上海 2010" not in text and "Shanghai 2010-11)" not in text
    # 浙江 2020: only the scorecard classifies; one method is no majority
    assert "浙江 2020, realtime: only one method classifies" in text
    assert "majority stage" not in text
    nb = nbformat.read(Path(runs["03_zhejiang"][2]) / "notebooks" / "03_zhejiang.ipynb", 4)
    headings = [c.source.split("\n", 1)[0] for c in nb.cells if c.cell_type == "markdown"]
    assert "## 7 · The region under the panel stage model" in headings
    assert not [h for h in headings if "Shanghai under" in h]


def test_03_in_real_time_for_beijing_judges_beijings_years(runs):
    text, summary, _ = runs[_readme_run("03")]  # README: 北京, 2018 and 2024, real time
    assert "北京 2018, realtime" in text and "北京 2024, realtime" in text
    assert "**Realtime, 北京 2018, 2024.**" in summary
    assert "上海" not in text and "REPRODUCED" not in text.upper().replace("NOT REPRODUCED", "")
    # the paper's years appear only in the sentence that says the paper judged Shanghai then
    assert _years_outside(summary, range(2015, 2025), ["2010-11"]) == []


def test_04_counts_and_names_the_chosen_districts(runs):
    assert "2 of 2 named districts found" in runs["04_two"][0]
    assert "1 of 1 named districts found" in runs["04_one"][0]
    assert "5 of 5" not in runs["04_two"][0] + runs["04_one"][0]
    found = runs["04_one"][0].split("named districts found", 1)[1].split("\n")[2]
    assert "崇明区" in found and "嘉定区" not in found
    summary = runs["04_one"][1]
    assert "highlights 1 of the 1 districts asked for: 崇明区" in summary
    assert "not the five of the paper's Figure 1" in summary
    assert "崇明县" in summary and "南汇" not in summary  # its own boundary change, not Pudong's
    assert "km apart" not in summary  # one district: no distance between districts
    summary = runs["04_two"][1]  # asked as 黄浦 and Jing'an: the other accepted spellings
    assert "highlights 2 of the 2 districts asked for: 黄浦区 (Huangpu), 静安区 (Jing'an)" in summary
    assert "卢湾" in summary and "闸北" in summary and "南汇" not in summary
    assert "km apart" in summary and "All five districts" not in summary


def test_05_for_another_province_ranks_that_province_in_its_years(runs):
    text = runs["05_beijing"][0]
    assert "北京市 2018-2022" in text
    assert "2015" not in text.split("北京市 2018-2022", 1)[1].split("\n", 3)[0]
    assert "上海" not in text


def test_05_in_english_for_guangdong_speaks_of_guangdong_and_its_four_years(runs):
    text, summary, _ = runs["05_guangdong"]
    assert "广东省 2016-2019" in text and "上海" not in text
    ranks = text.split("广东省 2016-2019", 1)[1]
    assert _years_outside(ranks, range(2016, 2020)) == []
    assert not re.search(r"as published (\d+)–\1\)", summary)  # "1–1" is one rank


def test_06_in_real_time_reports_the_fit_of_the_judged_year(runs):
    text, summary, _ = runs["06_zhejiang"]
    assert "浙江 2020 (realtime)" in text and "北京 (benchmark)" in text and "上海" not in text
    pooled = next(ln for ln in text.splitlines() if ln.startswith("pooled fit:"))
    assert "data <= 2020" in pooled  # not the last year's real-time fit
    per_series = next(ln for ln in summary.splitlines() if "**Per-series methods**" in ln)
    assert "panel" not in per_series  # the panel models are not per-series methods
    assert "over 2015–2024" in summary and "北京" in summary


def test_06_with_a_users_csv_reports_its_gap_and_pools_nothing(runs):
    text, summary, _ = runs["06_csv"]
    assert "深圳" in text and "years without a value: [2013]" in text
    assert "Panel stage model: not applicable" in summary
    assert "上海" not in text  # benchmark 广东


def test_07_follows_the_chosen_region_and_indicator(runs):
    for name, region, indicator in (("07_guangdong", "广东", "mobile_internet_users"),
                                    ("07_beijing", "北京", "computers_per_100_people")):
        text, summary, _ = runs[name]
        assert f"{region}: rank in {indicator} by year" in text, name
        assert "e-commerce sales" not in text, name  # another indicator than the default
        assert f"**{region}'s rank** in {indicator}" in summary, name
        assert "上海's rank" not in summary and "上海: " not in summary, name
    assert "share of the national total of mobile_internet_users" in runs["07_guangdong"][0]
    assert "In 2020:" in runs["07_guangdong"][1] and "In 2024:" not in runs["07_guangdong"][1]
    assert "In 2019:" in runs["07_beijing"][1]
    for name in ("07_guangdong", "07_beijing"):  # "1–1 over" is one rank
        assert not re.search(r"rank\*\* in \w+: (\d+)–\1 over", runs[name][1]), name


def test_07_sums_a_level_but_not_a_ratio_over_regions(runs):
    """Issue 26 item 1: a national total, shares, HHI and LQ of computers per 100 people
    mean nothing; the run says so and writes none of them. The level run (mobile internet
    users) has them, so the check can tell the two apart."""
    files = {name: {p.name for p in Path(runs[name][2]).rglob("*") if p.is_file()}
             for name in ("07_guangdong", "07_beijing")}
    for f in ("concentration.csv", "shares_lq.csv", "concentration_lq.png"):
        assert f in files["07_guangdong"] and f not in files["07_beijing"], f
    text, summary, _ = runs["07_beijing"]
    assert "computers_per_100_people (台) is a ratio" in text
    assert "share of the national total" not in text and "location quotient vs GDP" not in text
    assert "**No concentration.**" in summary
    assert "**Concentration.**" not in summary and "LQ vs GDP" not in summary
    assert "**Concentration.**" in runs["07_guangdong"][1]


def test_08_says_which_breaks_and_lags_this_run_used(runs):
    for name, pct, lags in (("08_half", "50%", "2 lag(s)"), ("08_fifth", "20%", "0 lag(s)")):
        summary = runs[name][1]
        assert f"drop of more than {pct} left out" in summary, name
        assert lags in summary, name
        assert "30 %" not in summary and "30%" not in summary and "eight" not in summary, name


def test_09_narrows_to_the_chosen_province_city_and_year(runs):
    text, summary, _ = runs["09_jiangsu"]
    assert "江苏省: " in text and "- 2015:" in summary and "- 2016:" not in summary
    assert "- 江苏省: " in summary and "浙江省: " not in summary
    text, summary, _ = runs["09_guangzhou"]
    assert "广东省广州市" in text and "- 2014:" in summary and "- 2016:" not in summary
    assert "- 广东省广州市: " in summary


def test_10_speaks_of_the_panels_it_simulated(runs):
    summary = runs["10_hindsight"][1]
    assert "hindsight, noise 15%" in summary and "noise 8%" not in summary
    assert "real-time panels:" not in summary and "realtime," not in summary
    assert "hindsight panels: 10 regions" in summary
    summary = runs["10_realtime"][1]
    assert "hindsight, noise 8%" in summary and "realtime, noise 15%" in summary
    assert "real-time panels: 5 regions" in summary and "hindsight panels: 8 regions" in summary


def test_11_speaks_of_the_chosen_city(runs):
    text, summary, _ = runs["11_shenzhen"]
    assert "深圳市 (city, 广东省)" in text and "义乌" not in text
    text, summary, _ = runs[_readme_run("11")]  # README: 曹县
    assert "曹县" in summary and "义乌" not in summary


@pytest.mark.parametrize("name", list(README))
def test_the_readmes_run_examples_execute_and_speak_of_their_place(runs, name):
    """Issue 26 item 3: every ``run`` line of the README runs as written (exit 0, checked by
    the fixture) and the executed notebook names the place the line asks for."""
    place = re.search(r"-p (?:region|city) (\S+)", README[name]).group(1)
    assert {"Zhejiang": "浙江"}.get(place, place) in runs[name][0], README[name]


def test_the_readme_has_run_examples():
    assert len(README) >= 3
