"""Processed tables are verified and part of every run's key (issue 29.5).

The manifest ``data/processed/MANIFEST.sha256`` is checked here against a rebuild from
``data/raw`` (the builders, not the manifest, are the reference), and a changed processed
table is refused by the loaders and by ``reproduce`` and changes the runs' keys.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest

from cluster_research import data as D
from cluster_research.data import DataValidationError, build_processed
from cluster_research.data.manifest import read_manifest
from cluster_research.data.taobao import build_taobao, load_counts
from cluster_research.pipeline import cache, runner


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_processed_manifest_lists_every_processed_file_as_rebuilt_from_raw(tmp_path):
    listed = read_manifest(D.data_dir(), "processed")
    on_disk = {p.relative_to(D.processed_dir()).as_posix()
               for p in D.processed_dir().rglob("*.csv")}
    assert set(listed) == on_disk
    rebuilt = {p.name: _sha(p) for p in build_processed(tmp_path / "p")}
    rebuilt |= {f"taobao/{p.name}": _sha(p) for p in build_taobao(tmp_path / "t")}
    assert rebuilt == listed
    assert D.verify_processed() == sorted(listed)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(D.data_dir(), root)
    monkeypatch.setenv("CLUSTER_RESEARCH_DATA_DIR", str(root))
    return root


def _tamper(root):
    p = root / "processed" / "taobao" / "taobao_counts.csv"
    text = p.read_text(encoding="utf-8")
    lines = text.splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    i = head.index("value")
    first[i] = str(int(first[i]) + 1)  # one changed count
    p.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    return p


def test_a_changed_processed_count_is_refused_when_loaded(data_copy):
    assert len(load_counts(root=data_copy)) > 0
    p = _tamper(data_copy)
    with pytest.raises(DataValidationError, match="sha256 mismatch") as ei:
        load_counts(root=data_copy)
    assert ei.value.path == str(p)
    with pytest.raises(DataValidationError, match="taobao_counts.csv"):
        D.verify_processed(data_copy)


def test_a_changed_processed_table_changes_every_run_key_and_stops_reproduce(data_copy):
    before = cache.environment_key()
    _tamper(data_copy)
    manifest = data_copy / "processed" / "MANIFEST.sha256"
    with pytest.raises(DataValidationError, match="sha256 mismatch"):
        runner.run_all(jobs=1, output_dir=data_copy.parent / "out", runs=[], progress=False)
    # a rebuilt (re-recorded) table is accepted and keys the runs differently
    D.manifest.update_processed_manifest([data_copy / "processed" / "taobao" /
                                          "taobao_counts.csv"], data_copy)
    assert "taobao/taobao_counts.csv" in manifest.read_text(encoding="utf-8")
    assert cache.environment_key() != before
