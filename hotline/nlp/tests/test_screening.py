"""Screening suggestions: §5.3 not accepted, §6.4.4 emergency kinds, §6.1.7 urgency."""

import pytest

from hotline.nlp.screening import (
    screen,
    suggest_emergency_kinds,
    suggest_not_accepted,
    suggest_urgency,
)
from hotline.rules.screening import EMERGENCY_KINDS, NOT_ACCEPTED_REASONS


def _codes(suggestions):
    return [s.code for s in suggestions]


@pytest.mark.clause("5.3")
def test_fire_is_a_119_matter_not_accepted_under_5_3_d():
    reasons = suggest_not_accepted("楼下饭店着火了，烟很大")
    assert reasons[0].code == "d_emergency_line"
    assert reasons[0].extra["line"] == "119"
    assert "着火" in reasons[0].matched


def test_each_emergency_line_is_named_for_its_matter_5_3_d():
    cases = {
        "有人在路边打架，还拿着刀": "110",
        "老人突然晕倒不省人事": "120",
        "门口发生车祸了": "122",
    }
    for text, line in cases.items():
        assert suggest_not_accepted(text)[0].extra["line"] == line, text


def test_negated_fire_is_not_an_emergency():
    assert "d_emergency_line" not in _codes(suggest_not_accepted("小区门口没有着火，就是垃圾太多"))


@pytest.mark.clause("5.3")
def test_a_lawsuit_already_filed_is_not_accepted_under_5_3_a():
    top = suggest_not_accepted("这件事我已经起诉到法院了，想问问你们能不能催一下")[0]
    assert top.code == "a_legal_procedure" and top.clause == "§5.3 a"


def test_labour_arbitration_points_to_5_3_a():
    assert "a_legal_procedure" in _codes(suggest_not_accepted("我已经申请劳动仲裁了"))


@pytest.mark.clause("5.3")
def test_a_matter_already_in_petition_is_not_accepted_under_5_3_b():
    assert suggest_not_accepted("这个问题我已经到信访局反映过三次了")[0].code == "b_petition"


@pytest.mark.clause("5.3")
def test_empty_or_gibberish_appeals_are_unclear_under_5_3_e():
    for text in ("", "   ", "啊啊啊啊啊啊啊啊", "。。。？？", "xkcdqwrt"):
        assert suggest_not_accepted(text)[0].code == "e_harassment_or_unclear", text


@pytest.mark.clause("5.3")
def test_asking_for_someone_elses_phone_is_a_privacy_matter_5_3_c():
    reasons = suggest_not_accepted("你帮我查一下他的手机号和住址")
    assert reasons[0].code == "c_secret_or_privacy"


@pytest.mark.clause("5.3")
def test_asking_for_a_fake_certificate_is_an_illegal_demand_5_3_f():
    assert suggest_not_accepted("能不能帮我开个假证明")[0].code == "f_illegal_demand"


def test_an_ordinary_appeal_has_no_not_accepted_reason():
    assert suggest_not_accepted("小区门口的路灯坏了一个星期了，晚上很黑，请尽快修理") == []


def test_every_code_suggested_is_a_code_of_the_rules():
    texts = ["着火了", "已经起诉", "信访局", "", "假证", "查他的电话", "停水", "山体滑坡", "爆炸"]
    for text in texts:
        s = screen(text)
        assert all(r.code in NOT_ACCEPTED_REASONS for r in s.not_accepted)
        assert all(k.code in EMERGENCY_KINDS for k in s.emergency_kinds)


@pytest.mark.clause("6.4.4")
def test_regional_outage_is_an_emergency_6_4_4_a():
    kinds = suggest_emergency_kinds("整栋楼停电三个小时了，电梯也停了")
    assert kinds[0].code == "a_utility_outage"
    assert kinds[0].confidence >= 0.5
    assert {"停电", "整栋"} <= set(kinds[0].matched)


def test_one_households_outage_is_only_a_weak_emergency_cue():
    kinds = suggest_emergency_kinds("我家停水了")
    assert kinds[0].code == "a_utility_outage" and kinds[0].confidence < 0.4


def test_gas_leak_is_an_outage_kind_and_a_119_matter():
    text = "楼道里燃气泄漏，味道很大"
    assert "a_utility_outage" in _codes(suggest_emergency_kinds(text))
    assert suggest_not_accepted(text)[0].extra["line"] == "119"


@pytest.mark.clause("6.4.4")
def test_landslide_is_a_natural_disaster_6_4_4_b():
    assert suggest_emergency_kinds("村后面山体滑坡了")[0].code == "b_natural_disaster"


@pytest.mark.clause("6.4.4")
def test_explosion_is_a_public_emergency_6_4_4_c():
    assert "c_public_emergency" in _codes(suggest_emergency_kinds("工厂发生爆炸"))


@pytest.mark.clause("6.4.4")
def test_emergency_line_matters_are_linked_emergencies_6_4_4_d():
    kinds = suggest_emergency_kinds("家里着火了")
    linked = next(k for k in kinds if k.code == "d_emergency_line_linkage")
    assert linked.extra["lines"] == "119"


@pytest.mark.clause("6.1.7")
def test_urgency_is_very_urgent_for_fire_and_disaster_6_1_7():
    assert suggest_urgency("仓库着火了").code == "very_urgent"
    assert suggest_urgency("山体滑坡压住了路").code == "very_urgent"


def test_urgency_is_urgent_for_a_regional_outage_or_a_missing_manhole_cover():
    assert suggest_urgency("整个小区停水一天了").code == "urgent"
    assert suggest_urgency("路口井盖丢了，一个大洞").code == "urgent"


def test_urgency_is_normal_without_cues_and_says_so_modestly():
    u = suggest_urgency("建议公园多种一些树")
    assert u.code == "normal" and u.label == "一般"
    assert u.confidence <= 0.7


def test_screen_serialises_for_the_api():
    d = screen("着火了").as_dict()
    assert d["urgency"]["code"] == "very_urgent"
    assert d["not_accepted"][0]["extra"]["line"] == "119"
