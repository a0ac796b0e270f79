"""The disk cache of deterministic results (cluster_research.memo)."""

from __future__ import annotations

import multiprocessing as mp
import time

import numpy as np
import pandas as pd
import pytest

from cluster_research import memo
from cluster_research.lifecycle import panel_stages


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(memo.ENV_CACHE_DIR, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _counted(log):
    @memo.memoize
    def f(x, *, scale=1.0):
        log.append(x)
        return pd.DataFrame({"x": [x * scale]})
    return f


def test_second_call_reads_the_stored_result(cache):
    log = []
    f = _counted(log)
    a, b = f(2.0), f(2.0)
    pd.testing.assert_frame_equal(a, b)
    assert log == [2.0]
    assert len(list(cache.rglob("*.pkl"))) == 1


def test_other_arguments_are_other_keys(cache):
    log = []
    f = _counted(log)
    f(2.0)
    f(3.0)
    f(2.0, scale=2.0)
    assert log == [2.0, 3.0, 2.0]
    assert f(2.0, scale=2.0)["x"].iloc[0] == 4.0


def test_equal_frames_share_a_key_and_a_changed_value_does_not(cache):
    a = pd.DataFrame({"region": ["r"] * 3, "year": [1, 2, 3], "value": [1.0, 2.0, 3.0]})
    b = a.copy()
    assert memo.call_key(panel_stages, (a,), {}) == memo.call_key(panel_stages, (b,), {})
    b.loc[2, "value"] = 3.0000001
    assert memo.call_key(panel_stages, (a,), {}) != memo.call_key(panel_stages, (b,), {})


def test_a_default_given_explicitly_is_the_same_call():
    # notebook 03 calls panel_stages(panel, information=..., indicator=...), the figures of
    # notebooks 06 and 07 add method="pooled" (the default): one stored result for both
    a = pd.DataFrame({"region": ["r"] * 3, "year": [1, 2, 3], "value": [1.0, 2.0, 3.0]})
    key = memo.call_key(panel_stages, (a,), {"information": "hindsight"})
    assert key == memo.call_key(panel_stages, (a,), {"method": "pooled"})
    assert key == memo.call_key(panel_stages, (), {"data": a, "information": "hindsight",
                                                   "method": "pooled", "y": "value"})
    assert key != memo.call_key(panel_stages, (a,), {"method": "hmm"})
    opts = memo.call_key(panel_stages, (a,), {"seed": 1, "n_draws": 50})
    assert opts == memo.call_key(panel_stages, (a,), {"n_draws": 50, "seed": 1})


def test_a_code_change_changes_the_key(monkeypatch):
    a = memo.call_key(len, ((1, 2),), {})
    monkeypatch.setattr(memo, "code_version", lambda: "another version of the code")
    assert memo.call_key(len, ((1, 2),), {}) != a


def test_code_hash_covers_library_modules_but_not_the_runner(monkeypatch, tmp_path):
    for rel in ("lifecycle/panel.py", "pipeline/runner.py", "resources/x.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("a = 1\n", encoding="utf-8")
    monkeypatch.setattr(memo, "PACKAGE_DIR", tmp_path)
    before = memo.code_hash()
    assert len(before) == 64
    (tmp_path / "pipeline" / "runner.py").write_text("a = 2\n", encoding="utf-8")
    assert memo.code_hash() == before  # the runner computes no result
    for rel in ("lifecycle/panel.py", "resources/x.csv"):
        (tmp_path / rel).write_text("a = 3\n", encoding="utf-8")
        assert memo.code_hash() != before, rel
        before = memo.code_hash()


def test_off_switches_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv(memo.ENV_CACHE_DIR, "off")
    assert memo.cache_dir() is None
    log = []
    f = _counted(log)
    f(1.0)
    f(1.0)
    assert log == [1.0, 1.0]


def test_default_directory_is_under_outputs(monkeypatch):
    monkeypatch.delenv(memo.ENV_CACHE_DIR, raising=False)
    assert memo.cache_dir().parts[-2:] == ("outputs", ".cache")


def test_an_unreadable_file_is_recomputed(cache):
    log = []
    f = _counted(log)
    f(5.0)
    (path,) = cache.rglob("*.pkl")
    path.write_bytes(b"not a pickle")
    assert f(5.0)["x"].iloc[0] == 5.0
    assert log == [5.0, 5.0]


def test_the_stored_stage_table_equals_a_fresh_fit(cache):
    t = np.arange(2000, 2014)
    df = pd.concat([pd.DataFrame({"region": r, "year": t,
                                  "value": 100 / (1 + np.exp(-0.5 * (t - m)))})
                    for r, m in [("a", 2003), ("b", 2007), ("c", 2010), ("d", 2012)]])
    first = panel_stages(df, method="curve", model="logistic")
    stored = panel_stages(df, method="curve", model="logistic")
    fresh = panel_stages.uncached(df, method="curve", model="logistic")
    assert len(list(cache.rglob("*.pkl"))) == 1
    pd.testing.assert_frame_equal(stored, fresh)
    pd.testing.assert_frame_equal(first, fresh)
    assert stored.attrs == fresh.attrs


def _slow_square(x):
    with open(_slow_square.log, "a", encoding="utf-8") as f:
        f.write("computed\n")
    time.sleep(1.0)
    return x * x


def _worker(cache_dir, log, x, q):
    import os
    os.environ[memo.ENV_CACHE_DIR] = cache_dir
    _slow_square.log = log
    q.put(memo.memoize(_slow_square)(x))


def test_a_second_process_waits_for_the_first_instead_of_computing(tmp_path):
    log = tmp_path / "log.txt"
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(tmp_path / "c"), str(log), 7, q))
             for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert sorted([q.get(timeout=5), q.get(timeout=5)]) == [49, 49]
    assert log.read_text(encoding="utf-8").count("computed") == 1
