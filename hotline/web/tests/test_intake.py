"""受理员 at the intake form (§6.1): one call, one decision, nothing half-saved."""

from __future__ import annotations

import pytest

from hotline.common import hooks
from hotline.orders.models import Attachment, PersonalInfoAccess, WorkOrder
from hotline.web.tests.conftest import png, wav

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def form(appeal: dict, **extra) -> dict:
    data = {k: v for k, v in appeal.items()}
    data.update(extra)
    return data


@pytest.mark.clause("6.1.1", "6.2")
def test_agent_records_an_order_and_submits_it_for_review_in_one_step(web, agent, appeal):
    """§6.1.1 record and accept, §6.2 submit: the default button."""
    r = web(agent).post("/intake/", form(appeal, button="submit"))
    assert r.status_code == 302 and r["Location"].startswith("/intake/?last=")
    order = WorkOrder.objects.get()
    assert order.state == "pending_review" and order.channel == "phone"
    assert order.created_by == agent and order.domain == "housing"
    page = web(agent).get(r["Location"]).content.decode()
    assert order.number in page and "待审核" in page


@pytest.mark.clause("6.1.5")
def test_missing_required_fields_give_chinese_field_errors_and_save_nothing(web, agent, appeal):
    """§6.1.5: category, issue, address and content are required."""
    data = form(appeal, button="submit", title="", address="", category="", content="")
    r = web(agent).post("/intake/", data)
    assert r.status_code == 422
    page = r.content.decode()
    for message in ("诉求分类为必填项", "诉求问题为必填项", "发生地址为必填项", "诉求内容为必填项"):
        assert message in page
    assert 'aria-invalid="true"' in page
    assert "王建军" in page  # what the agent typed is kept
    assert not WorkOrder.objects.exists()


def test_bad_phone_number_is_shown_beside_the_phone_field(web, agent, appeal):
    r = web(agent).post("/intake/", form(appeal, citizen_phone="abc"))
    assert r.status_code == 422
    assert "联系电话格式不正确" in r.content.decode()
    assert not WorkOrder.objects.exists()


@pytest.mark.clause("6.1.2")
def test_attachments_are_stored_with_the_order_voice_and_image(web, agent, appeal):
    """§6.1.2: voice and image forms of an appeal are kept as attachments."""
    data = form(appeal, button="accept", attachments=[wav(), png()])
    r = web(agent).post("/intake/", data)
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.state == "accepted"
    assert sorted(order.attachments.values_list("kind", flat=True)) == ["image", "voice"]


def test_an_unacceptable_file_undoes_the_whole_intake(web, agent, appeal):
    """Nothing half-saved: the order is not created when one of its files is refused."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 60)
    r = web(agent).post("/intake/", form(appeal, attachments=[png(), bad]))
    assert r.status_code == 422
    assert "不支持的文件类型" in r.content.decode()
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


@pytest.mark.clause("5.3")
def test_not_accepted_call_is_recorded_with_its_reason(web, agent):
    """§5.3: a rejected call stays a searchable record with its reason."""
    data = {
        "channel": "phone",
        "urgency": "normal",
        "display_mode": "public",
        "content": "来电人反映的是已在法院起诉的合同纠纷。",
        "button": "reject",
        "reject-reason": "a_legal_procedure",
        "reject-note": "已告知通过诉讼程序解决",
    }
    r = web(agent).post("/intake/", data)
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.state == "rejected" and order.not_accepted_reason == "a_legal_procedure"


@pytest.mark.clause("5.3")
def test_emergency_line_matter_must_name_the_line_to_transfer_to(web, agent):
    """§5.3 d: 110/119/120/122 matters tell the agent which line to transfer to."""
    base = {
        "channel": "phone",
        "urgency": "normal",
        "display_mode": "public",
        "button": "reject",
        "reject-reason": "d_emergency_line",
    }
    r = web(agent).post("/intake/", base)
    assert r.status_code == 422
    assert "请选择应转接的热线" in r.content.decode()
    assert not WorkOrder.objects.exists()
    r = web(agent).post("/intake/", {**base, "reject-emergency_line": "119"})
    assert r.status_code == 302
    assert WorkOrder.objects.get().emergency_line == "119"


@pytest.mark.clause("6.7.1")
def test_direct_handling_closes_the_order_and_calls_the_knowledge_hook(
    web, agent, appeal, monkeypatch
):
    """§6.7.1: a directly handled order closes when handled; the knowledge base can link
    the entry the agent used through ``hooks.direct_close_hooks``."""
    seen = []
    monkeypatch.setattr(
        hooks, "direct_close_hooks", [lambda o, u, d: seen.append((o.number, d["knowledge_entry"]))]
    )
    data = form(
        appeal,
        appeal_type="consult",
        button="direct",
        **{"direct-answer": "已告知维修资金申请流程。", "direct-knowledge_entry": "kb-42"},
    )
    r = web(agent).post("/intake/", data)
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.state == "closed" and order.direct_answer == "已告知维修资金申请流程。"
    assert seen == [(order.number, "kb-42")]


def test_direct_handling_without_an_answer_is_refused_and_nothing_is_saved(web, agent, appeal):
    r = web(agent).post("/intake/", form(appeal, button="direct"))
    assert r.status_code == 422
    assert "直办结案须填写答复内容" in r.content.decode()
    assert not WorkOrder.objects.exists()


def test_callers_earlier_orders_are_listed_as_the_phone_is_typed(web, agent, flow):
    """The caller's history by phone number (htmx partial), without logging a view of
    personal info: only numbers, titles and states are shown."""
    earlier = flow.pending_review(title="楼道灯不亮")
    flow.accepted(citizen_phone="13900000000", title="别人的工单")
    c = web(agent)
    r = c.get("/intake/history/", {"citizen_phone": "13812345678"}, HTTP_HX_REQUEST="true")
    page = r.content.decode()
    assert earlier.number in page and "楼道灯不亮" in page and "别人的工单" not in page
    assert "<html" not in page  # a fragment
    assert (
        "没有历史工单"
        in c.get("/intake/history/", {"citizen_phone": "13111111111"}).content.decode()
    )
    assert not PersonalInfoAccess.objects.exists()


def test_suggestions_panel_is_empty_until_a_provider_is_registered(web, agent, monkeypatch):
    """SPEC §9: suggestions come from another service; the panel says so until then."""
    monkeypatch.setattr(hooks, "suggestion_providers", [])
    monkeypatch.setattr(hooks, "duplicate_providers", [])
    c = web(agent)
    assert "尚未接入" in c.get("/intake/").content.decode()
    r = c.post("/intake/assist/", {"title": "路灯不亮", "content": "小区门口路灯坏了"})
    assert 'data-testid="assist-empty"' in r.content.decode()
    monkeypatch.setattr(
        hooks,
        "suggestion_providers",
        [lambda u, v: [hooks.Suggestion("category", "street_light", "分类：路灯照明", "含“路灯”")]],
    )
    monkeypatch.setattr(
        hooks,
        "duplicate_providers",
        [lambda u, v: [hooks.DuplicateHint("20260101000001", "路灯不亮", "办理中", "同地址")]],
    )
    page = c.post("/intake/assist/", {"title": "路灯不亮"}).content.decode()
    assert 'data-apply-field="category"' in page and "分类：路灯照明" in page
    assert "20260101000001" in page


def test_a_broken_suggestion_provider_never_blocks_intake(web, agent, monkeypatch):
    def broken(user, values):
        raise RuntimeError("model not loaded")

    monkeypatch.setattr(hooks, "suggestion_providers", [broken])
    r = web(agent).post("/intake/assist/", {"title": "x"})
    assert r.status_code == 200


@pytest.mark.clause("5.1", "6.1.1")
def test_agent_accepts_a_channel_draft_from_the_queue(web, agent, appeal):
    """§5.1, §6.1.1: a portal submission waits in 待受理 until an agent completes and
    accepts it."""
    from hotline.orders import actions as act

    draft = act.do_create_draft(
        {"channel": "portal", "title": "小区垃圾没人清运", "citizen_phone": "13812345678"}
    )
    c = web(agent)
    queue = c.get("/intake/queue/").content.decode()
    assert draft.number in queue and f"/intake/{draft.number}/" in queue
    page = c.get(f"/intake/{draft.number}/").content.decode()
    assert "小区垃圾没人清运" in page and "门户网站" in page
    r = c.post(
        f"/intake/{draft.number}/",
        form(
            appeal,
            channel="portal",
            title="小区垃圾没人清运",
            category="waste",
            button="submit",
        ),
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "pending_review" and draft.channel == "portal"


@pytest.mark.clause("6.2")
def test_returned_order_is_corrected_and_submitted_again(web, agent, reviewer, flow):
    """§6.2: the reviewer returns a defective order; the agent fixes it and resubmits."""
    from hotline.orders import actions as act

    order = flow.pending_review()
    act.do_return_to_intake(order, reviewer, reason="发生地址不具体")
    c = web(agent)
    assert order.number in c.get("/intake/queue/?tab=returned").content.decode()
    data = form(flow.appeal, address="海勃湾区康乐小区3号楼2单元顶层", button="submit")
    assert c.post(f"/intake/{order.number}/", data).status_code == 302
    order.refresh_from_db()
    assert order.state == "pending_review" and order.address.endswith("顶层")


def test_intake_page_of_an_order_past_intake_redirects_to_its_detail(web, agent, flow):
    order = flow.dispatched()
    r = web(agent).get(f"/intake/{order.number}/")
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.number}/"


def test_only_agents_take_calls(web, clerk, reviewer):
    assert web(clerk).get("/intake/").status_code == 403
    assert web(reviewer).post("/intake/", {}).status_code == 403
