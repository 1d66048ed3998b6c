"""§6.1.6 elements from free text: phones, times relative to the call, places, areas."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.nlp.extract import (
    Gazetteer,
    cn_int,
    extract,
    extract_phones,
    extract_places,
    extract_times,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday morning call.
NOW = datetime(2024, 3, 13, 10, 0, tzinfo=SHANGHAI)


def _at(month, day, hour=0, minute=0, year=2024):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _one(text):
    times = extract_times(text, NOW)
    assert len(times) == 1, times
    return times[0]


# -- phones ------------------------------------------------------------------------------


def test_mobile_numbers_are_found_with_or_without_separators():
    phones = extract_phones("电话13812345678，备用 139-8765-4321，+86 137 1111 2222")
    assert [p.number for p in phones] == ["13812345678", "13987654321", "13711112222"]
    assert {p.kind for p in phones} == {"mobile"}


def test_landlines_keep_area_code_and_extension():
    phones = extract_phones("单位座机（0473）6912345转801，家里电话6912345")
    assert [(p.number, p.kind) for p in phones] == [
        ("0473-6912345-801", "landline"),
        ("6912345", "landline"),
    ]


def test_long_digit_runs_are_not_phones():
    assert extract_phones("工单号202403130001，身份证110101199001011234") == []


# -- times -------------------------------------------------------------------------------


def test_today_afternoon_three_oclock():
    t = _one("今天下午三点")
    assert (t.start, t.end) == (_at(3, 13, 15), _at(3, 13, 16))


def test_last_night_is_yesterday_evening():
    t = _one("昨晚楼上一直在吵")
    assert (t.start, t.end) == (_at(3, 12, 18), _at(3, 13, 0))


def test_last_friday_is_friday_of_the_previous_week():
    t = _one("上周五")
    assert (t.start, t.end) == (_at(3, 8), _at(3, 9))


def test_bare_weekday_is_the_most_recent_one():
    assert _one("周一").start == _at(3, 11)
    assert _one("周三").start == _at(3, 13)
    assert _one("下周一").start == _at(3, 18)


def test_month_and_day_without_year_is_this_year_or_last_if_still_to_come():
    assert _one("3月5日").start == _at(3, 5)
    assert _one("十二月二十日").start == _at(12, 20, year=2023)


def test_recent_week_is_a_span_ending_now():
    t = _one("最近一周一直停水")
    assert t.kind == "span"
    assert (t.start, t.end) == (NOW - timedelta(days=7), NOW)


def test_relative_days_and_parts_of_day():
    assert _one("前天上午").start == _at(3, 11, 8)
    assert _one("大前天").start == _at(3, 10)
    assert _one("三天前").start == _at(3, 10)
    assert _one("昨天晚上8点多").start == _at(3, 12, 20)
    assert _one("凌晨两点").start == _at(3, 13, 2)
    assert _one("下周一上午9:30").start == _at(3, 18, 9, 30)


def test_months():
    assert (_one("上个月").start, _one("上个月").end) == (_at(2, 1), _at(3, 1))
    assert _one("2月底").end == _at(3, 1)
    assert _one("去年12月").start == _at(12, 1, year=2023)


def test_full_dates():
    assert _one("2023年11月2日").start == _at(11, 2, year=2023)
    assert _one("2024-01-05").start == _at(1, 5)


def test_one_point_as_an_amount_is_not_a_clock_time():
    assert extract_times("我一点也不满意", NOW) == []


def test_naive_call_time_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        extract_times("今天", datetime(2024, 3, 13, 10, 0))  # noqa: DTZ001


def test_chinese_numerals():
    assert [cn_int(s) for s in ("十二", "二十五", "两", "三百零五", "二〇二四", "7")] == [
        12,
        25,
        2,
        305,
        2024,
        7,
    ]


# -- places and areas ---------------------------------------------------------------------


def test_places_are_address_strings_without_the_sentence_around_them():
    texts = [
        p.text for p in extract_places("我家住在海勃湾区新华街道滨河社区人民路18号，门口的路灯坏了")
    ]
    assert texts == ["海勃湾区新华街道滨河社区人民路18号"]


def test_building_and_unit_are_part_of_the_place():
    assert [p.text for p in extract_places("滨河花园3栋2单元楼下积水")][0] == "滨河花园3栋2单元"


def test_words_of_the_sentence_are_not_places():
    assert [p.text for p in extract_places("商户又把商品摆到路上，这条路很堵")] == []


AREAS = [
    {"id": 1, "name": "海勃湾区", "level": "district"},
    {"id": 2, "name": "新华街道", "level": "street", "parent_id": 1},
    {"id": 3, "name": "滨河社区", "level": "community", "parent_id": 2},
    {"id": 4, "name": "乌达区", "level": "district"},
    {"id": 5, "name": "新华街道", "level": "street", "parent_id": 4, "aliases": "新华办"},
    {"id": 6, "name": "滨河社区", "level": "community", "parent_id": 5},
]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_rows(AREAS)


def test_full_chain_resolves_to_the_community_with_its_path(gazetteer):
    best = gazetteer.resolve("海勃湾区新华街道滨河社区人民路18号路灯坏了")[0]
    assert (best.area_id, best.path) == (3, [1, 2, 3])
    assert best.matched == ["海勃湾区", "新华街道", "滨河社区"]


def test_a_district_name_disambiguates_a_shared_community_name(gazetteer):
    assert gazetteer.resolve("乌达区滨河社区垃圾没人清")[0].area_id == 6


def test_aliases_are_matched(gazetteer):
    assert gazetteer.resolve("我在新华办门口")[0].area_id == 5


def test_an_ambiguous_short_name_shares_its_confidence(gazetteer):
    matches = gazetteer.resolve("新华这边噪音很大")
    assert {m.area_id for m in matches[:2]} == {2, 5}
    assert matches[0].confidence == matches[1].confidence < 0.7


def test_no_area_named_gives_nothing(gazetteer):
    assert gazetteer.resolve("路灯坏了") == []


@pytest.mark.clause("6.1.6")
def test_extract_collects_every_element(gazetteer):
    found = extract("昨天下午三点，滨河社区人民路18号停水，电话13812345678", NOW, gazetteer)
    assert found.phones[0].number == "13812345678"
    assert found.times[0].start == _at(3, 12, 15)
    assert found.places and found.areas
    assert found.as_dict()["phones"][0]["kind"] == "mobile"


def test_a_bare_part_of_day_still_to_come_is_yesterdays():
    """Issue 16: "晚上" on a call taken at 08:31 was 18:00 of the same day, still to come."""
    morning = datetime(2024, 3, 13, 8, 31, tzinfo=SHANGHAI)
    (t,) = extract_times("晚上楼下烧烤店吵得睡不着", morning)
    assert t.start == datetime(2024, 3, 12, 18, 0, tzinfo=SHANGHAI)
    (t,) = extract_times("下午楼下一直在施工", datetime(2024, 3, 13, 15, 0, tzinfo=SHANGHAI))
    assert t.start == datetime(2024, 3, 13, 13, 0, tzinfo=SHANGHAI)  # already begun: today
    (t,) = extract_times("今天晚上有人施工", morning)  # said so: kept as said
    assert t.start.day == 13


def test_a_thing_word_is_not_glued_to_the_address():
    """Issue 16: "人民路路灯" gave the address "人民路路"."""
    assert [p.text for p in extract_places("人民路路灯不亮")] == ["人民路"]
    assert [p.text for p in extract_places("康乐小区3号楼楼道灯坏了")] == ["康乐小区3号楼"]
    assert [p.text for p in extract_places("住在康乐小区内")] == ["康乐小区"]


def test_the_offered_address_leaves_the_writers_words_out():
    from hotline.nlp.extract import suggest_address

    assert suggest_address("希望海勃湾区的公交车晚上多开几趟").text == "海勃湾区"
    assert suggest_address("感谢乌海市政府的关心").text == "乌海市"  # not 感谢…, not …政府
    assert suggest_address("国家规定小区里不能开歌厅") is None
    assert suggest_address("地铁5号线施工很吵") is None
    assert suggest_address("我住康乐小区3号楼，楼道灯坏了").text == "康乐小区3号楼"


def test_the_offered_time_is_an_event_not_a_habit_or_schedule():
    from hotline.nlp.extract import suggest_time

    assert suggest_time("每天早上六点楼下就开始施工", NOW) is None
    assert suggest_time("营业时间为7:30-18:00", NOW) is None
    assert suggest_time("晚上楼下很吵", NOW) is None  # a bare part of day: the day is a guess
    t = suggest_time("昨晚开始路灯不亮", NOW)
    assert t is not None and t.text == "昨晚"
    assert suggest_time("95年以前的老房子", NOW) is None
