"""The knowledge-base search engine (§4.2 c: agents answer consultations from unit entries).

Entries here are written for the tests, the way a handling unit would write them.
"""

from __future__ import annotations

import pytest

from hotline.search import Engine, IndexMismatchError

HOUSING_FUND = {
    "id": 1,
    "title": "住房公积金提取条件",
    "questions": ["公积金怎么取出来", "离职了公积金能提吗"],
    "answer": "职工购买、建造、翻建、大修自住住房的，可以申请提取住房公积金账户内的存储余额。",
    "category": "住房保障",
    "owner_unit": "市住房公积金管理中心",
    "keywords": "公积金, 提取",
}
SUBSISTENCE = {
    "id": 2,
    "title": "最低生活保障申请",
    "questions": ["怎么申请低保"],
    "answer": "具有本市户籍、家庭人均收入低于当地最低生活保障标准的，可向户籍所在地街道申请。",
    "category": "社会救助",
    "owner_unit": "区民政局",
}
LICENCE = {
    "id": 3,
    "title": "驾驶证到期换证",
    "answer": "机动车驾驶证有效期满前九十日内，可到车管所或登录交管网站申请换证。",
    "category": "交通出行",
    "owner_unit": "市公安局交警支队",
}
NOISE = {
    "id": 4,
    "title": "夜间施工噪声投诉",
    "answer": "夜间22时至次日6时禁止产生噪声的建筑施工作业，抢修、抢险作业除外。"
    "市民可向生态环境局或城管执法部门投诉，投诉时说明工地名称和地点。",
    "category": "环境保护",
    "owner_unit": "市生态环境局",
}
ENTRIES = [HOUSING_FUND, SUBSISTENCE, LICENCE, NOISE]


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine()
    e.build(ENTRIES)
    return e


def ids(hits) -> list:
    return [h.id for h in hits]


def test_title_hit_outranks_answer_hit() -> None:
    """The same word in one entry's title and another's answer: the title wins."""
    e = Engine()
    e.build(
        [
            {"id": "in-answer", "title": "城市道路维护", "answer": "路灯损坏可拨打热线报修。"},
            {"id": "in-title", "title": "路灯报修", "answer": "由城市照明管理处负责维护。"},
        ]
    )
    assert ids(e.search("路灯")) == ["in-title", "in-answer"]


def test_question_forms_count_like_the_title(engine: Engine) -> None:
    assert ids(engine.search("公积金怎么取出来"))[0] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [("医保", 10), ("医疗保险", 10), ("低保", 2), ("驾照", 3), ("户口", 2), ("噪音", 4)],
)
def test_synonyms_find_entries_worded_differently(engine: Engine, query: str, expected) -> None:
    e = Engine()
    e.build([*ENTRIES, {"id": 10, "title": "基本医疗保险报销比例", "answer": "按规定报销。"}])
    assert ids(e.search(query))[0] == expected


def test_app_synonyms_are_added_to_the_defaults() -> None:
    e = Engine(synonyms=[["一网通办", "政务服务网"]])
    e.build([{"id": 1, "title": "政务服务网注册", "answer": "实名注册后可在线办理。"}])
    assert ids(e.search("一网通办")) == [1]


def test_custom_words_are_segmented_whole() -> None:
    place = "橘子洲街道"
    plain, custom = Engine(), Engine(user_words=[place])
    assert place not in plain.analyzer.words(place)
    assert place in custom.analyzer.words(place)


def test_custom_word_outranks_entries_sharing_only_its_parts() -> None:
    entries = [
        {"id": "whole", "title": "橘子洲街道办事处地址", "answer": "办公地点见官网。"},
        {"id": "parts", "title": "橘子采摘与沙洲观光", "answer": "街道组织采摘活动。"},
    ]
    e = Engine(user_words=["橘子洲街道"])
    e.build(entries)
    assert ids(e.search("橘子洲街道"))[0] == "whole"


def test_homophone_typo_still_finds_the_entry(engine: Engine) -> None:
    """公基金 is what an input method gives when the agent picks the wrong 积."""
    hits = engine.search("公基金提取")
    assert hits[0].id == 1
    assert "公基金提取" in hits[0].matched_terms or "公基金" in "".join(hits[0].matched_terms)


def test_misspelled_and_unsegmented_query_still_matches(engine: Engine) -> None:
    assert ids(engine.search("驾使证到期怎么换"))[0] == 3
    assert ids(engine.search("晚上工地施工吵得睡不着"))[0] == 4


@pytest.mark.parametrize(
    ("prefix", "expected"), [("公积", 1), ("住房公", 1), ("驾驶", 3), ("低", 2)]
)
def test_partial_query_as_you_type(engine: Engine, prefix: str, expected: int) -> None:
    assert ids(engine.search(prefix))[0] == expected


def test_added_entry_is_searchable_at_once() -> None:
    e = Engine()
    e.build(ENTRIES)
    assert e.search("居住证") == []
    e.add({"id": 5, "title": "居住证办理", "answer": "在本市居住半年以上可申领居住证。"})
    assert ids(e.search("居住证")) == [5]
    assert len(e) == 5


def test_edited_entry_replaces_the_old_text() -> None:
    e = Engine()
    e.build(ENTRIES)
    e.add({**LICENCE, "title": "驾驶证补领", "answer": "驾驶证遗失的，可到车管所补领。"})
    assert ids(e.search("补领")) == [3]
    assert e.search("九十日") == []
    assert len(e) == len(ENTRIES)


def test_removed_entry_is_gone_and_others_remain() -> None:
    e = Engine()
    e.build(ENTRIES)
    assert e.remove(1) is True
    assert e.remove(1) is False
    assert 1 not in ids(e.search("公积金"))
    assert ids(e.search("低保")) == [2]


def test_many_edits_merge_into_the_same_ranking_as_a_fresh_build() -> None:
    """Before the merge, pending entries use the statistics of the moment; after it, the
    index equals a fresh build."""
    e = Engine()
    e.build(ENTRIES[:1])
    for entry in ENTRIES[1:]:
        e.add(entry)
    e.remove(1)
    e.add(HOUSING_FUND)
    fresh = Engine()
    fresh.build([*ENTRIES[1:], HOUSING_FUND])
    queries = ["公积金", "申请", "投诉噪声", "车管所换证"]
    e.optimize()
    after = [[(h.id, h.score) for h in e.search(q)] for q in queries]
    expected = [[(h.id, h.score) for h in fresh.search(q)] for q in queries]
    assert after == expected


def test_filter_by_allowed_ids(engine: Engine) -> None:
    assert ids(engine.search("申请", filter={2, 3})) and set(
        ids(engine.search("申请", filter={2, 3}))
    ) <= {2, 3}
    assert engine.search("公积金", filter=set()) == []


def test_filter_by_callable(engine: Engine) -> None:
    hits = engine.search("申请", filter=lambda entry_id: entry_id != 2)
    assert hits and 2 not in ids(hits)


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "，。！", None])
def test_blank_query_returns_nothing(engine: Engine, query) -> None:
    assert engine.search(query) == []


def test_query_matching_nothing_returns_nothing(engine: Engine) -> None:
    assert engine.search("量子纠缠") == []


def test_empty_index_returns_nothing() -> None:
    assert Engine().search("公积金") == []


def test_limit_is_respected(engine: Engine) -> None:
    assert len(engine.search("申请", limit=1)) == 1


def test_snippet_marks_matches_and_escapes_html() -> None:
    e = Engine()
    e.build([{"id": 1, "title": "<b>供暖</b>", "answer": "供暖期为每年11月15日至次年3月15日。"}])
    hit = e.search("供暖时间")[0]
    assert "<mark>供暖</mark>" in hit.snippet
    assert hit.title == "&lt;b&gt;<mark>供暖</mark>&lt;/b&gt;"
    assert "供暖" in hit.matched_terms[0]


def test_save_and_load_round_trip(tmp_path) -> None:
    e = Engine(user_words=["橘子洲街道"])
    e.build(ENTRIES)
    e.add({"id": "new", "title": "橘子洲街道便民服务", "answer": "工作日办公。"})
    e.remove(3)
    path = tmp_path / "kb.npz"
    e.save(path)
    loaded = Engine(user_words=["橘子洲街道"])
    loaded.load(path)
    for q in ["公积金", "橘子洲街道", "驾驶证", "低保"]:
        assert [(h.id, h.score) for h in loaded.search(q)] == [(h.id, h.score) for h in e.search(q)]
    loaded.add({"id": 9, "title": "公积金贷款", "answer": "首套房可申请公积金贷款。"})
    assert 9 in ids(loaded.search("公积金贷款"))


def test_load_refuses_an_index_built_with_other_words(tmp_path) -> None:
    e = Engine()
    e.build(ENTRIES)
    e.save(tmp_path / "kb.npz")
    with pytest.raises(IndexMismatchError):
        Engine(user_words=["橘子洲街道"]).load(tmp_path / "kb.npz")
