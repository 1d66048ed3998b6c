"""§4.2 b: concentrated issues are groups of similar appeals by matter, place and time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hotline.hotspots import HotspotConfig, find_hotspots, group_appeals
from hotline.hotspots.tests.conftest import START, appeal, background


def noise_at(estate: str, district: str = "B2区", day: float = 0, **kw) -> list:
    """Five citizens complaining about night-time construction noise at one estate."""
    return [
        appeal(
            f"{district}{estate}小区旁工地夜间施工噪音扰民",
            f"{estate}小区旁边的工地每天晚上施工到凌晨，噪音很大，居民无法入睡。",
            day=day,
            **kw,
        ),
        appeal(
            f"投诉{estate}小区附近夜间施工噪音",
            f"{district}{estate}小区附近工地夜里施工，机器轰鸣，严重影响休息。",
            day=day + 1,
        ),
        appeal(
            f"{estate}小区工地半夜施工扰民",
            f"工地半夜还在浇筑混凝土，{estate}小区的业主都被吵醒了。",
            day=day + 2,
        ),
        appeal(
            f"{district}{estate}小区夜间施工噪音严重",
            f"{estate}小区周边工地夜间施工噪音超标，请查处。",
            day=day + 3,
        ),
        appeal(
            f"再次反映{estate}小区夜间施工扰民",
            f"{estate}小区旁工地晚上施工的噪音问题还没有解决。",
            day=day + 5,
        ),
    ]


def groups_containing(groups, ids):
    return [g for g in groups if set(ids) & set(g.member_ids)]


def test_clearly_similar_appeals_form_one_group():
    topic = noise_at("幸福里")
    groups = group_appeals(topic + background())
    [group] = groups_containing(groups, [a.id for a in topic])
    assert set(group.member_ids) == {a.id for a in topic}
    assert group.size == 5 and group.citizens == 5


def test_group_label_names_the_place_and_the_matter():
    [group] = group_appeals(noise_at("幸福里") + background())
    assert group.place == "B2区 幸福里小区"
    assert group.label.startswith("B2区 幸福里小区 / ")
    assert any("施工" in t or "噪音" in t for t in group.terms)


def test_the_same_complaint_at_different_estates_gives_different_groups():
    first, second = noise_at("幸福里"), noise_at("阳光苑")
    groups = group_appeals(first + second + background())
    assert len(groups) == 2
    by_members = {frozenset(g.member_ids) for g in groups}
    assert frozenset(a.id for a in first) in by_members
    assert frozenset(a.id for a in second) in by_members


def test_appeals_naming_different_districts_are_never_grouped():
    def road_flooding(district: str, start: float) -> list:
        return [
            appeal(
                f"{district}建设路下雨后严重积水", "一下雨建设路就积水没过膝盖，车辆熄火。", day=k
            )
            for k in (start, start + 1, start + 2, start + 3)
        ]

    east, west = road_flooding("B2区", 0), road_flooding("C7县", 0.5)
    groups = group_appeals(east + west + background())
    assert {frozenset(g.member_ids) for g in groups} == {
        frozenset(a.id for a in east),
        frozenset(a.id for a in west),
    }
    assert {g.place for g in groups} == {"B2区 建设路", "C7县 建设路"}


def test_work_order_areas_that_differ_keep_appeals_apart():
    same_text = [
        appeal("小区门口垃圾堆积无人清运", "垃圾堆了一周没人清运，臭气熏天。", day=k, area=area)
        for k, area in enumerate(["东城街道", "东城街道", "东城街道", "西城街道", "西城街道"])
    ]
    groups = group_appeals(same_text + background())
    assert [g.size for g in groups] == [3]
    assert groups[0].place == "东城街道"


def test_appeals_months_apart_are_not_linked_directly():
    early = noise_at("幸福里", day=0)
    late = noise_at("幸福里", day=120)
    groups = group_appeals(early + late + background(), config=HotspotConfig(window_days=30))
    assert sorted(g.size for g in groups) == [5, 5]


def test_one_citizen_writing_often_is_not_a_concentrated_issue():
    same_person = [
        appeal("楼上住户深夜装修噪音", f"楼上装修第{k}次吵到深夜。", day=k, citizen="13900000000")
        for k in range(4)
    ]
    assert group_appeals(same_person + background()) == []


def test_heat_counts_citizens_likes_and_recency():
    quiet = noise_at("幸福里", day=0)
    liked = noise_at("阳光苑", day=0, likes=1000)
    groups = group_appeals(quiet + liked + background(), now=START + timedelta(days=6))
    assert groups[0].likes == 1000 and groups[1].likes == 0
    assert groups[0].heat > groups[1].heat
    # The formula: (5 citizens + 2·ln(1001)) at age 1 day with a 14-day half-life.
    recency = 2 ** (-1 / 14)
    assert groups[1].heat == pytest.approx(5 * (1 + recency) / 2, abs=1e-3)


def test_trend_is_a_weekly_series_with_empty_weeks():
    topic = noise_at("幸福里", day=0)[:3] + noise_at("幸福里", day=14)[3:]
    [group] = group_appeals(topic + background())
    assert [p.count for p in group.trend] == [3, 0, 2]
    assert group.trend[0].start == START.date()  # the Monday of the first week
    assert all(p.start.weekday() == 0 for p in group.trend)


def test_the_same_appeal_entered_twice_counts_once():
    topic = noise_at("幸福里")
    twin = replace(appeal(topic[0].title, topic[0].text), time=topic[0].time)
    [group] = group_appeals([*topic, twin, *background()])
    assert group.size == 6 and group.duplicates == 1 and group.citizens == 5


def test_output_is_deterministic_whatever_the_input_order():
    records = noise_at("幸福里") + noise_at("阳光苑", day=3) + background()
    forward = find_hotspots(records).to_dict()
    backward = find_hotspots(list(reversed(records))).to_dict()
    assert forward == backward


def test_dict_records_from_the_database_are_accepted():
    rows = [
        {"id": a.id, "title": a.title, "body": a.text, "time": a.time, "user": a.citizen}
        for a in noise_at("幸福里") + background()
    ]
    [group] = group_appeals(rows)
    assert group.size == 5


def _lamps(**area: object) -> list:
    texts = [
        ("人民路路灯不亮", "人民路的路灯一到晚上就不亮，走路很危险。"),
        ("反映人民路路灯坏了", "人民路一段路灯坏了好几天，晚上一片漆黑。"),
        ("人民路路灯晚上不亮", "人民路路灯晚上不亮，老人孩子出门不安全。"),
        ("人民路路灯问题", "人民路路灯长期不亮，请尽快维修。"),
    ]
    return [appeal(t, x, day=k, **area) for k, (t, x) in enumerate(texts)]


def test_a_work_order_area_is_labelled_by_its_name_never_by_its_id():
    [named] = group_appeals(_lamps(area="6", area_name="滨河街道") + background())
    assert named.label.startswith("滨河街道 人民路")
    [bare] = group_appeals(_lamps(area="6") + background())
    assert not bare.label.startswith("6")  # the issue's "6 人民路 / 路灯 路口"
    assert "人民路" in bare.label and "路灯" in bare.label


def test_label_terms_are_whole_noun_phrases_as_written():
    from hotline.hotspots.text import noun_phrases, tag

    phrases = noun_phrases(tag("小区旁边新建的搅拌站噪音扰民"))
    assert "搅拌站" in phrases
    assert all(len(p) >= 2 for p in phrases)
    assert not any(p.startswith(("旁边", "的")) or p.endswith("的") for p in phrases)
    assert noun_phrases(tag("晚上很吵")) == []  # a time word and an adverb make no phrase
