"""Repeated appeals of the same citizen about the same fact are linked (SPEC §7)."""

from __future__ import annotations

from hotline.hotspots import find_hotspots, repeated_appeals
from hotline.hotspots.tests.conftest import appeal, background
from hotline.nlp.dedup import REPEAT_TEXT


def test_same_citizen_same_fact_is_one_chain_in_time_order():
    me = "13800001111"
    chain = [
        appeal(
            "金桂苑3栋楼顶漏水至今未修", "金桂苑3栋顶楼漏水，物业一直拖着不修。", day=0, citizen=me
        ),
        appeal(
            "再次反映金桂苑3栋楼顶漏水",
            "上次反映的金桂苑3栋楼顶漏水还是没有修。",
            day=9,
            citizen=me,
        ),
        appeal(
            "金桂苑3栋楼顶漏水第三次反映", "金桂苑3栋顶楼漏水问题第三次反映。", day=20, citizen=me
        ),
    ]
    other_matter = appeal(
        "咨询孩子入学户籍要求", "孩子明年上小学，户口不在本区能否入学。", day=5, citizen=me
    )
    [repeat] = repeated_appeals([*chain, other_matter, *background()])
    assert repeat.citizen == me
    assert repeat.member_ids == tuple(a.id for a in chain)
    assert repeat.first == chain[0].time and repeat.last == chain[-1].time
    assert repeat.similarity >= REPEAT_TEXT  # the one detector's threshold (nlp.dedup)


def test_different_citizens_with_the_same_fact_are_not_repeats():
    records = [
        appeal("金桂苑3栋楼顶漏水至今未修", "金桂苑3栋顶楼漏水，物业一直拖着不修。", day=k)
        for k in range(3)
    ]
    assert repeated_appeals(records + background()) == []


def test_same_citizen_same_words_at_another_place_is_another_fact():
    me = "13800002222"
    records = [
        appeal("绿洲小区门口路灯不亮", "绿洲小区门口的路灯坏了一个月。", day=0, citizen=me),
        appeal("翠湖小区门口路灯不亮", "翠湖小区门口的路灯坏了一个月。", day=3, citizen=me),
    ]
    assert repeated_appeals(records + background()) == []


def test_report_carries_the_repeats():
    me = "13800003333"
    records = [
        appeal("幸福路井盖缺失无人处理", "幸福路中段井盖丢失，很危险。", day=0, citizen=me),
        appeal("幸福路井盖缺失仍未处理", "幸福路中段井盖丢失一周了还没补上。", day=7, citizen=me),
    ]
    report = find_hotspots(records + background())
    assert [len(r.member_ids) for r in report.repeats] == [2]
