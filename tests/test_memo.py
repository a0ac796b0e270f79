"""The disk cache of deterministic results (cluster_research.memo)."""

from __future__ import annotations

import json
import multiprocessing as mp
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_research import memo
from cluster_research.errors import DataValidationError, ParameterError
from cluster_research.lifecycle import Stage, panel_stages


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
    assert len(list(cache.rglob("*.json"))) == 1


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


def test_a_library_version_changes_the_key(monkeypatch):
    a = memo.call_key(len, ((1, 2),), {})
    real = memo.metadata.version
    for name in ("numpy", "scipy", "statsmodels", "pandas"):
        monkeypatch.setattr(memo.metadata, "version",
                            lambda dist, name=name: "0.0.0" if dist == name else real(dist))
        assert memo.call_key(len, ((1, 2),), {}) != a, name
    monkeypatch.setattr(memo.metadata, "version", real)
    assert memo.call_key(len, ((1, 2),), {}) == a


def test_a_library_version_makes_every_run_out_of_date(monkeypatch):
    from cluster_research.pipeline import cache

    before = cache.code_hash()
    real = memo.metadata.version
    monkeypatch.setattr(memo.metadata, "version",
                        lambda dist: "0.0.0" if dist == "statsmodels" else real(dist))
    assert cache.code_hash() != before


def test_not_code_names_existing_files():
    for rel in memo.NOT_CODE:
        assert (memo.PACKAGE_DIR / rel).is_file(), rel


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
    (path,) = cache.rglob("*.json")
    path.write_bytes(b"not a pickle")
    assert f(5.0)["x"].iloc[0] == 5.0
    assert log == [5.0, 5.0]


class _Payload:
    """A pickle whose loading writes a marker file (what an attacker would drop in)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "code ran"))


def test_a_crafted_pickle_in_the_cache_runs_nothing_and_is_recomputed(cache, tmp_path):
    log = []
    f = _counted(log)
    f(5.0)
    (path,) = cache.rglob("*.json")
    marker = tmp_path / "marker"
    crafted = pickle.dumps(_Payload(marker))
    pickle.loads(crafted)  # control: the payload does run when unpickled
    assert marker.read_text() == "code ran"
    marker.unlink()
    path.write_bytes(crafted)
    path.with_suffix(".pkl").write_bytes(crafted)  # where entries used to be
    assert f(5.0)["x"].iloc[0] == 5.0
    assert not marker.exists()
    assert log == [5.0, 5.0]
    assert json.loads(path.read_text(encoding="utf-8"))["kind"] == "frame"


def test_a_frame_round_trips_exactly_through_the_stored_form():
    df = pd.DataFrame({"region": pd.array(["a", None, "c"], dtype="str"),
                       "year": np.array([1990, 2000, 2100], dtype="int64"),
                       "stage": [Stage.GROWTH, None, Stage.TAKEOFF],
                       "p": [0.1, np.nan, 1 / 3], "ok": [True, False, True]})
    df.attrs.update(method="pooled", options={"seed": 0, "model": "auto"})
    back = memo.decode(memo.encode(df))
    pd.testing.assert_frame_equal(back, df)
    assert back.attrs == df.attrs
    assert back["stage"].tolist() == [Stage.GROWTH, None, Stage.TAKEOFF]
    assert memo.decode(memo.encode(49)) == 49


@pytest.mark.parametrize("text", [
    "not json", '{"kind": "pickle"}', '{"kind": "frame", "columns": ["a"]}',
    '{"kind": "frame", "columns": ["s"], "dtypes": ["object"], "data": [["GROWTH"]], '
    '"enums": {"s": "os.system"}, "attrs": {}}',
    '{"kind": "frame", "columns": ["s"], "dtypes": ["object"], "data": [["NOPE"]], '
    '"enums": {"s": "cluster_research.lifecycle.stage.Stage"}, "attrs": {}}',
])
def test_a_malformed_entry_is_refused(text):
    with pytest.raises(DataValidationError, match="not a cache entry|unknown entry kind|is not one of"):
        memo.decode(text)


def test_a_result_json_cannot_hold_is_refused():
    with pytest.raises(ParameterError, match="cannot store"):
        memo.encode({"a": (1, 2)})
    with pytest.raises(ParameterError, match="cannot store"):
        memo.encode(object())


def test_the_stored_stage_table_equals_a_fresh_fit(cache):
    t = np.arange(2000, 2014)
    df = pd.concat([pd.DataFrame({"region": r, "year": t,
                                  "value": 100 / (1 + np.exp(-0.5 * (t - m)))})
                    for r, m in [("a", 2003), ("b", 2007), ("c", 2010), ("d", 2012)]])
    first = panel_stages(df, method="curve", model="logistic")
    stored = panel_stages(df, method="curve", model="logistic")
    fresh = panel_stages.uncached(df, method="curve", model="logistic")
    assert len(list(cache.rglob("*.json"))) == 1
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
