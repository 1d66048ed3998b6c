"""Dispatch suggestions rank jurisdiction first (issue 16): a unit responsible for the
category whose jurisdiction contains the order's area comes before any history."""

from hotline.rules.routing import (
    MAX_JURISDICTION,
    TIER_JURISDICTION,
    TIER_LOCAL_HISTORY,
    TIER_OTHER,
    Candidate,
    jurisdiction_reason,
    rank,
)


def names(ranked):
    return [c.name for c in ranked]


def test_jurisdiction_outranks_city_wide_history():
    own = Candidate(1, "海勃湾区住建局", duty=True, cover_depth=2, cover_name="海勃湾区")
    wuda = Candidate(2, "乌达区住建局", duty=True, share=0.5)  # responsible elsewhere
    hainan = Candidate(3, "海南区住建局", duty=True, share=0.4)
    assert names(rank([wuda, hainan, own], has_area=True)) == [
        "海勃湾区住建局",
        "乌达区住建局",
        "海南区住建局",
    ]
    assert own.tier(True) == TIER_JURISDICTION and wuda.tier(True) == TIER_OTHER


def test_the_closest_jurisdiction_first():
    city = Candidate(1, "市住建局", duty=True, cover_depth=1, cover_name="乌海市", share=0.9)
    district = Candidate(2, "海勃湾区住建局", duty=True, cover_depth=2, cover_name="海勃湾区")
    assert names(rank([city, district], has_area=True)) == ["海勃湾区住建局", "市住建局"]


def test_local_history_comes_after_jurisdiction_and_before_the_rest():
    own = Candidate(1, "街道办", duty=True, cover_depth=3)
    local = Candidate(2, "物业服务中心", share=0.8, local_history=True)
    wide = Candidate(3, "市属公司", share=0.9, local_history=False)
    ranked = rank([wide, local, own], has_area=True)
    assert names(ranked) == ["街道办", "物业服务中心", "市属公司"]
    assert local.tier(True) == TIER_LOCAL_HISTORY


def test_a_rule_names_a_responsible_unit_and_ranks_within_the_tier():
    ruled = Candidate(1, "区市政养护中心", rule=0.7, cover_depth=2)
    duty = Candidate(2, "区城管局", duty=True, cover_depth=2)
    assert names(rank([duty, ruled], has_area=True)) == ["区市政养护中心", "区城管局"]
    # a rule whose unit lies outside the area is no jurisdiction
    assert Candidate(3, "外区", rule=0.7).tier(True) == TIER_OTHER


def test_never_cut_before_the_jurisdiction_units():
    juris = [Candidate(i, f"单位{i}", duty=True, cover_depth=2) for i in range(4)]
    others = [Candidate(10 + i, f"历史{i}", share=0.9, local_history=True) for i in range(3)]
    ranked = rank(others + juris, has_area=True, limit=3)
    assert names(ranked) == [f"单位{i}" for i in range(4)]  # all four kept, limit or not
    many = [Candidate(i, f"单位{i:02}", duty=True, cover_depth=2) for i in range(9)]
    assert len(rank(many, has_area=True, limit=3)) == MAX_JURISDICTION
    one = rank([juris[0], *others], has_area=True, limit=3)
    assert names(one) == ["单位0", "历史0", "历史1"]  # filled up to the limit


def test_without_an_area_responsibility_decides():
    duty = Candidate(1, "市住建局", duty=True)
    wide = Candidate(2, "乌达区住建局", share=0.9)
    assert names(rank([wide, duty], has_area=False)) == ["市住建局", "乌达区住建局"]


def test_the_reason_names_the_jurisdiction_and_the_duty():
    c = Candidate(1, "海勃湾区住建局", duty=True, cover_depth=2, cover_name="海勃湾区")
    assert (
        jurisdiction_reason(c, "城乡建设/房屋维修", "康乐社区")
        == "属地：管辖海勃湾区（含康乐社区），职责含城乡建设/房屋维修"
    )
    whole = Candidate(2, "自来水公司", duty=True, cover_depth=0)
    assert jurisdiction_reason(whole, "供水", "康乐社区") == "属地：管辖区域不限，职责含供水"
