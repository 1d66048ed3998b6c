"""Place names in appeal text: coded and written names, generic words left out."""

from __future__ import annotations

import pytest

from hotline.hotspots.places import CITY, DISTRICT, SPOT, TOWN, extract_places, strip_admin_names


def names(text: str) -> list[tuple[str, str]]:
    return [(p.name, p.level) for p in extract_places(text)]


def test_coded_admin_names_of_any_letter_and_number():
    assert names("K10县和B市") == [("K10县", DISTRICT), ("B市", CITY)]


def test_written_names_from_district_down_to_estate():
    assert names("投诉长沙市岳麓区麓谷街道桐梓坡路金色家园小区噪音") == [
        ("长沙市", CITY),
        ("岳麓区", DISTRICT),
        ("麓谷街道", TOWN),
        ("桐梓坡路", SPOT),
        ("金色家园小区", SPOT),
    ]


def test_a_verb_before_the_name_is_not_part_of_it():
    assert names("反映M3县青石镇白沙村道路破损") == [
        ("M3县", DISTRICT),
        ("青石镇", TOWN),
        ("白沙村", SPOT),
    ]


@pytest.mark.parametrize("text", ["我们小区门口的马路上", "全市范围", "建设国家中心城市", "去超市"])
def test_ordinary_words_ending_in_a_suffix_are_not_places(text):
    assert names(text) == []


def test_admin_names_are_stripped_for_topic_words():
    assert strip_admin_names("A市伊景园滨河苑").strip() == "伊景园滨河苑"
