"""Search through the per-process index: only what the viewer may see, edits found at once,
and other processes catch up through the stamp."""

from __future__ import annotations

from hotline.knowledge import actions, index
from hotline.knowledge.index import KnowledgeIndex
from hotline.knowledge.tests.conftest import LAMP


def test_agent_finds_published_valid_entries_only_and_owner_finds_its_drafts(
    make_entry, agent, clerk
):
    published = make_entry()
    draft = make_entry("draft", title="维修资金申请表下载", by=clerk)
    assert [r.entry for r in index.search(agent, "维修资金怎么申请")] == [published]
    assert {r.entry for r in index.search(clerk, "维修资金怎么申请")} == {published, draft}


def test_question_forms_and_homophone_typos_find_the_entry(make_entry, agent, supervisor):
    lamp = make_entry(**LAMP)
    fund = make_entry()
    assert index.search(agent, "晚上路灯不亮")[0].entry == lamp
    assert index.search(agent, "楼顶漏水能用维修基金吗")[0].entry == fund
    assert index.search(agent, "维修姿金")[0].entry == fund  # 资 typed as its homophone 姿


def test_dictionary_keeps_the_centres_own_names_whole(make_entry, agent):
    """Area, unit and category names and policy terms are words of the segmenter."""
    make_entry()
    analyzer = index.INDEX.refresh().analyzer
    assert "康乐社区" in analyzer.cut("康乐社区楼顶漏水")
    assert "海勃湾区市政养护中心" in analyzer.cut("找海勃湾区市政养护中心修路灯")
    assert "异地就医备案" in analyzer.cut("异地就医备案怎么办")


def test_an_edit_is_found_on_the_next_search_without_a_rebuild(make_entry, agent, supervisor):
    entry = make_entry()
    assert index.search(agent, "维修资金")
    rebuilds = index.INDEX.rebuilds
    actions.do_update(
        entry,
        supervisor,
        {
            "title": "加装电梯补贴申请",
            "questions": "",
            "keywords": "",
            "answer": "老旧小区加装电梯可申请财政补贴。",
        },
    )
    assert [r.entry for r in index.search(agent, "加装电梯")] == [entry]
    assert index.search(agent, "业主表决拨付") == []  # the old answer's words are gone
    assert index.INDEX.rebuilds == rebuilds  # incremental


def test_another_process_notices_a_change_through_the_stamp(make_entry, agent, supervisor):
    """Two web workers: each holds its own index; the second sees the first's edit."""
    worker_a, worker_b = KnowledgeIndex(), KnowledgeIndex()
    entry = make_entry()
    engine_b = worker_b.refresh()
    assert engine_b.search("维修资金")
    worker_a.refresh()
    actions.do_update(
        entry,
        supervisor,
        {
            "title": "供暖费退费",
            "answer": "室温不达标按天退还供暖费。",
            "questions": "",
            "keywords": "",
        },
    )
    engine_b = worker_b.refresh()
    assert [h.id for h in engine_b.search("供暖费")] == [entry.pk]
    assert worker_b.rebuilds == 1


def test_search_page_and_fragment(make_entry, agent, web):
    make_entry()
    c = web(agent)
    page = c.get("/knowledge/", {"q": "维修资金"}).content.decode()
    assert "住宅<mark>专项维修资金</mark>使用流程" in page
    frag = c.get("/knowledge/", {"q": "维修资金", "fragment": "1"}, HTTP_HX_REQUEST="true")
    assert "<html" not in frag.content.decode() and "使用流程" in frag.content.decode()
    none = c.get("/knowledge/", {"q": "火星移民"}).content.decode()
    assert "没有找到" in none
