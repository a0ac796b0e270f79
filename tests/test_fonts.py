"""Figures do not depend on the fonts installed on the machine (issue 25.1).

A decoy font (a copy of matplotlib's DejaVu Sans renamed "Noto Sans CJK SC", the family of
Debian's ``fonts-noto-cjk``) is put first in matplotlib's font list, where a system font sits.
The style must still pick the bundled mplfonts file and draw the same pixels; the negative
control shows that selecting the font by that family name alone would take the decoy.
"""

from __future__ import annotations

import io
import shutil
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from cluster_research.viz import style

DECOY_FAMILY = "Noto Sans CJK SC"
TEXT = "上海电子商务产业集群 Year 2011 -1"


def _render() -> bytes:
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.set_title(TEXT)
    ax.set_xlabel(style.label("year", "en"))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _sans_file() -> str:
    return font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))


@pytest.fixture
def decoy(tmp_path):
    """A DejaVu Sans copy whose name table says "Noto Sans CJK SC", first in the font list."""
    src = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    path = tmp_path / "decoy.ttf"
    shutil.copy(src, path)
    font = TTFont(path)
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):  # family, full name, typographic family
            rec.string = DECOY_FAMILY
    font.save(path)
    manager = font_manager.fontManager
    saved = list(manager.ttflist)
    entry = font_manager.ttfFontProperty(font_manager.get_font(path))
    assert entry.name == DECOY_FAMILY
    manager.ttflist.insert(0, entry)  # where fontconfig's system fonts are: before mplfonts
    manager.addfont(str(path))  # public way to clear findfont's cache
    try:
        yield str(path)
    finally:
        manager.ttflist[:] = saved
        manager.addfont(str(style.font_path()))  # clears the cache again


@pytest.fixture
def baseline():
    style.setup()
    return _sans_file(), _render()


def test_installed_font_of_the_same_family_changes_nothing(baseline, decoy):
    file0, png0 = baseline
    assert file0 == str(style.font_path())
    # negative control: the family name alone now resolves to the decoy
    named = font_manager.findfont(font_manager.FontProperties(family=[DECOY_FAMILY]))
    assert named == decoy
    with (matplotlib.rc_context({"font.sans-serif": [DECOY_FAMILY, "DejaVu Sans"]}),
          warnings.catch_warnings()):
        warnings.simplefilter("ignore")  # the decoy has no CJK glyphs
        assert _render() != png0
    style.setup()
    assert _sans_file() == file0
    assert _render() == png0


def test_fonts_are_registered_by_file_under_names_of_their_own():
    style.setup()
    assert matplotlib.rcParams["font.sans-serif"][:2] == [style.FONT_NAME, style.FALLBACK_NAME]
    installed = {f.name for f in font_manager.fontManager.ttflist
                 if not f.fname.startswith((str(style.font_path()),
                                            matplotlib.get_data_path()))}
    assert style.FONT_NAME not in installed and style.FALLBACK_NAME not in installed
