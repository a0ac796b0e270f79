"""Look-alike region names (issue 29.6): NFKC, and invisible code points refused.

The expected codes are the GB/T 2260 codes of the provinces (上海 310000, 北京 110000),
written here; the code points are from the Unicode tables (DerivedCoreProperties.txt,
Default_Ignorable_Code_Point; U+2800 BRAILLE PATTERN BLANK).
"""

from __future__ import annotations

import pytest

from cluster_research import data as D
from cluster_research.data import DataValidationError
from cluster_research.data.places import resolve_place
from cluster_research.pipeline.notebooks import resolve_notebook
from cluster_research.pipeline.params import validate_parameters

INVISIBLE = ["\u3164", "\u2800", "\ufe00", "\ufe0f", "\u200b", "\u200c", "\u200d", "\u200e",
             "\u200f", "\u2060", "\u2061", "\u2064", "\u206f", "\u00ad", "\u034f", "\u061c",
             "\u115f", "\u1160", "\u17b4", "\u180b", "\u180e", "\ufeff", "\uffa0", "\u1680",
             "\U000e0001", "\U000e0041", "\U000e0100", "\U0001d173", "\U0001bca0", "\u202e",
             "\u2028", "\x07"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("where", ["end", "middle", "start"])
def test_invisible_code_point_is_refused_before_matching(ch, where):
    name = {"end": "上海" + ch, "middle": "上" + ch + "海", "start": ch + "上海"}[where]
    with pytest.raises(DataValidationError, match=f"invisible character.*U\\+{ord(ch):04X}"):
        D.find_region(name)
    with pytest.raises(DataValidationError, match=f"U\\+{ord(ch):04X}"):
        D.region_code(name)
    with pytest.raises(DataValidationError, match=f"U\\+{ord(ch):04X}"):
        resolve_place(name)


@pytest.mark.parametrize("ch", ["\u3164", "\u2800", "\ufe00", "\u2060"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_code_point_in_a_user_csv_names_file_row_and_column(tmp_path, ch):
    p = tmp_path / "u.csv"
    p.write_text(f"region,year,value,unit\n上海,2010,5,亿元\n上海{ch},2011,6,亿元\n",
                 encoding="utf-8")
    with pytest.raises(DataValidationError) as ei:
        D.read_csv(p)
    assert (ei.value.path, ei.value.row, ei.value.column) == (str(p), 3, "region")
    assert f"U+{ord(ch):04X}" in str(ei.value)


def test_invisible_code_point_in_a_run_parameter_is_refused():
    with pytest.raises(DataValidationError, match="U\\+3164 HANGUL FILLER"):
        validate_parameters(resolve_notebook("05"), {"region": "上海\u3164"})


@pytest.mark.parametrize(("name", "code"), [
    ("\uff33\uff48\uff41\uff4e\uff47\uff48\uff41\uff49", "310000"),  # full-width Shanghai
    ("\uff53\uff48\uff41\uff4e\uff47\uff48\uff41\uff49", "310000"),  # full-width, lower case
    ("上\ufa45", "310000"),        # U+FA45 CJK COMPATIBILITY IDEOGRAPH-FA45 (海)
    ("上\U0002f901", "310000"),    # U+2F901 CJK COMPATIBILITY IDEOGRAPH-2F901 (海)
    ("\uf963京", "110000"),        # U+F963 CJK COMPATIBILITY IDEOGRAPH-F963 (北)
    ("\u3000北京\u00a0", "110000"),  # ideographic and no-break spaces: plain spaces
])
def test_look_alikes_are_normalised_to_the_same_region(name, code):
    assert D.find_region(name) == code
    assert D.region_code(name) == code
    assert resolve_place(name).province_code == code


def test_a_code_in_full_width_digits_is_refused_as_numbers_are():
    with pytest.raises(DataValidationError, match="U\\+FF13 FULLWIDTH DIGIT THREE"):
        D.find_region("３１００００")


def test_normalised_names_read_as_one_region_from_a_csv(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text("region,year,value,unit\n上海,2010,5,亿元\n上\ufa45,2011,6,亿元\n"
                 "\uff33\uff48\uff41\uff4e\uff47\uff48\uff41\uff49,2012,7,亿元\n",
                 encoding="utf-8")
    assert set(D.read_csv(p)["region"]) == {"上海"}

