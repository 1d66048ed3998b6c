"""Near-duplicate open orders and the §6.6.3 c repeat of the same fact."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.nlp.dedup import Appeal, DedupIndex, find_duplicates, phone_key

T0 = datetime(2024, 3, 13, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

OPEN_ORDERS = [
    Appeal(
        1,
        "滨河小区3号楼门口的路灯坏了一个星期，晚上很黑，请尽快维修。",
        area_id=3,
        time=T0 - timedelta(days=2),
        phone="13812345678",
    ),
    Appeal(
        2,
        "楼下烧烤店油烟太大，每天晚上熏得没法开窗。",
        area_id=3,
        time=T0 - timedelta(days=1),
        phone="13900000000",
    ),
    Appeal(
        3,
        "公司拖欠三个月工资不发，老板不接电话。",
        area_id=9,
        time=T0 - timedelta(days=20),
        phone="13700000000",
    ),
    Appeal(
        4,
        "人民路的路灯不亮，晚上很黑。",
        area_id=7,
        time=T0 - timedelta(days=1),
        phone="13600000000",
    ),
]


def test_the_same_text_at_the_same_place_is_a_near_duplicate():
    new = Appeal(
        None,
        "滨河小区3号楼门口路灯坏了一个星期了，晚上很黑，请尽快修。",
        area_id=3,
        time=T0,
        phone="13500000000",
    )
    found = find_duplicates(new, OPEN_ORDERS)
    assert found[0].id == 1
    assert found[0].near_duplicate and not found[0].repeat
    assert found[0].same_place == 1.0
    assert "同一区域" in found[0].reasons


def test_same_citizen_same_fact_again_is_flagged_6_6_3_c():
    new = Appeal(
        None,
        "我上次反映的滨河小区3号楼门口的路灯坏了，到现在还没修，晚上很黑。",
        area_id=3,
        time=T0,
        phone="+86 138 1234 5678",
    )
    top = find_duplicates(new, OPEN_ORDERS)[0]
    assert top.id == 1 and top.same_citizen and top.repeat
    assert any("§6.6.3 c" in r for r in top.reasons)


def test_unrelated_orders_are_not_candidates():
    new = Appeal(None, "建议图书馆延长开放时间", time=T0)
    assert find_duplicates(new, OPEN_ORDERS) == []


def test_same_topic_elsewhere_ranks_below_the_same_place():
    new = Appeal(None, "路灯坏了，晚上很黑", area_id=3, time=T0)
    ids = [d.id for d in find_duplicates(new, OPEN_ORDERS, min_score=0.2)]
    assert ids.index(1) < ids.index(4)


def test_a_same_citizen_order_on_another_matter_is_shown_but_not_a_repeat():
    new = Appeal(None, "小区门口垃圾桶满了没人清", time=T0, phone="13700000000")
    found = find_duplicates(new, OPEN_ORDERS, min_score=0.0)
    mine = next(d for d in found if d.id == 3)
    assert mine.same_citizen and not mine.repeat


def test_the_index_takes_plain_dicts_and_can_exclude_the_order_itself():
    rows = [
        {"id": a.id, "text": a.text, "area_id": a.area_id, "phone": a.phone} for a in OPEN_ORDERS
    ]
    index = DedupIndex(rows)
    assert len(index) == 4
    assert index.query(rows[1], exclude_id=2) == []
    assert index.query(rows[1])[0].as_dict()["id"] == 2


def test_address_strings_count_as_the_same_place_without_area_ids():
    a = {"id": 1, "text": "门口路灯不亮很久了", "address": "滨河小区3号楼"}
    new = {"text": "门口路灯不亮很久了", "address": "滨河小区3号楼2单元"}
    assert find_duplicates(new, [a])[0].same_place >= 0.5


def test_an_empty_candidate_list_is_fine():
    assert find_duplicates(Appeal(None, "路灯坏了"), []) == []


def test_phone_keys_ignore_separators_and_country_code():
    assert phone_key("+86 138-1234-5678") == phone_key("13812345678") == "13812345678"


def test_is_repeat_is_one_rule_for_one_pair_and_for_arrays_of_pairs():
    """The one same-citizen-same-fact detector (intake hints and hotspot chains use it)."""
    import numpy as np

    from hotline.nlp.dedup import REPEAT_TEXT, REPEAT_WINDOW_DAYS, is_repeat

    assert is_repeat(True, REPEAT_TEXT, 30) is True
    assert is_repeat(False, 0.99, 0) is False  # another citizen
    assert is_repeat(True, REPEAT_TEXT - 0.01, 0) is False  # another matter
    assert is_repeat(True, 0.9, REPEAT_WINDOW_DAYS + 1) is False  # more than a year apart
    assert is_repeat(True, 0.9, 1, different_place=True) is False
    assert is_repeat(True, 0.9, None) is True  # unknown time: text and citizen decide
    many = is_repeat(
        np.array([True, True, False]), np.array([0.9, 0.1, 0.9]), np.array([1.0, 1.0, 1.0])
    )
    assert many.tolist() == [True, False, False]


def test_citizen_key_treats_phone_spellings_as_one_person():
    from hotline.nlp.dedup import citizen_key

    assert citizen_key("+86 138-1234-5678") == citizen_key("13812345678") == "13812345678"
    assert citizen_key("A00051608") == "A00051608"  # a portal user id stays as it is
    assert citizen_key(None) == citizen_key("  ") == ""
