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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("晚上路灯不亮", []),  # no "晚上路": a time word starts no name, 路 of 路灯 closes none
        ("三盏路灯坏了", []),  # no "三盏路"
        ("光明路路口的路灯坏了", [("光明路", SPOT)]),  # not "光明路路"
        ("东六路与漓楚路口照明太暗", [("东六路", SPOT), ("漓楚路", SPOT)]),
        ("公交线路要升旗", []),  # 旗 inside a verb closes no banner
        ("希望城区增加路口信号灯", []),  # no "增加路"
    ],
)
def test_segmentation_keeps_artefacts_out_of_place_names(text, expected):
    assert names(text) == expected
