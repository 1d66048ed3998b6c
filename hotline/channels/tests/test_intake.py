"""§5.1: outside channels submit appeals; drafts wait for an agent unless policy accepts them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.channels import services
from hotline.channels.models import ChannelClient, IdempotencyRecord, Submission, hash_key
from hotline.channels.tests.conftest import EXE, PNG
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import Attachment, WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


def test_key_is_stored_hashed_and_only_its_prefix_kept(org):
    client, key = ChannelClient.issue("市民门户", "portal")
    client.refresh_from_db()
    assert client.key_hash == hash_key(key) and key not in client.key_hash
    assert client.key_prefix == key[:8] and len(key) > 40
    assert services.authenticate_key(key) == client
    assert services.authenticate_key(key + "x") is None
    client.enabled = False
    client.save()
    assert services.authenticate_key(key) is None
    assert services.lookup_key(key) == client


@pytest.mark.clause("5.1", "6.1.3")
def test_portal_submission_becomes_a_draft_with_the_channel(portal_app, citizen_appeal):
    order, created = services.submit_appeal(portal_app, citizen_appeal)
    assert created and order.state == "draft" and order.channel == "portal"
    assert order.citizen_phone == "13900001111" and order.display_mode == "confidential"
    assert order.category.code == "housing_maintenance" and order.area.code == "t-kangle"
    sub = Submission.objects.get(order=order)
    assert sub.client == portal_app and sub.extra == {"device": "android", "ref": "A-1"}
    assert [e.action for e in order.events.all()] == ["submit_draft"]


@pytest.mark.clause("5.1", "6.1.1")
def test_grid_submission_is_accepted_directly_when_complete(grid_app, citizen_appeal):
    order, _ = services.submit_appeal(grid_app, citizen_appeal)
    assert order.state == "accepted" and order.channel == "grid"
    assert order.deadlines.filter(kind="dispatch").exists()
    assert [e.action for e in order.events.order_by("id")] == ["submit_draft", "accept"]


@pytest.mark.clause("5.1", "6.1.5")
def test_grid_submission_missing_required_fields_waits_for_an_agent(grid_app, citizen_appeal):
    citizen_appeal.pop("category")
    order, _ = services.submit_appeal(grid_app, citizen_appeal)
    assert order.state == "draft"


def test_a_grid_worker_may_report_without_a_citizen_phone(grid_app, citizen_appeal):
    citizen_appeal.pop("phone")
    citizen_appeal.pop("citizen_name")
    order, _ = services.submit_appeal(grid_app, {**citizen_appeal, "component_type": "street_lamp"})
    assert order.state == "accepted" and order.component_type == "street_lamp"


def test_invalid_fields_are_reported_in_chinese_and_nothing_is_saved(portal_app, citizen_appeal):
    with pytest.raises(ValidationFailed) as exc:
        services.submit_appeal(portal_app, {**citizen_appeal, "lat": 123, "display_mode": "x"})
    assert exc.value.fields["latitude"] == "纬度须在 -90 到 90 之间"
    assert "个人信息显示方式" in exc.value.fields["display_mode"]
    with pytest.raises(ValidationFailed) as exc:
        services.submit_appeal(portal_app, {**citizen_appeal, "phone": ""})
    assert exc.value.fields == {"phone": "请填写联系电话"}
    assert not WorkOrder.objects.exists()


@pytest.mark.clause("6.1.2")
def test_photos_are_stored_and_an_exe_renamed_jpg_is_refused(portal_app, citizen_appeal):
    photo = SimpleUploadedFile("现场.jpg", PNG, content_type="image/jpeg")
    order, _ = services.submit_appeal(portal_app, citizen_appeal, [photo])
    att = order.attachments.get()
    assert att.kind == "image" and att.content_type == "image/png"
    fake = SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        services.submit_appeal(portal_app, citizen_appeal, [photo, fake])
    assert "不支持的文件类型" in exc.value.fields["files[1]"]
    assert WorkOrder.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_retried_key_returns_the_original_order(portal_app, citizen_appeal):
    first, created = services.submit_appeal(portal_app, citizen_appeal, idempotency_key="k-1")
    again, created_again = services.submit_appeal(portal_app, citizen_appeal, idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk
    assert WorkOrder.objects.count() == 1
    # another client may use the same key for its own submission
    other, _ = ChannelClient.issue("另一个应用", "app")
    third, created_third = services.submit_appeal(other, citizen_appeal, idempotency_key="k-1")
    assert created_third and third.pk != first.pk


def test_a_key_reused_with_another_body_is_a_conflict(portal_app, citizen_appeal):
    first, _ = services.submit_appeal(portal_app, citizen_appeal, idempotency_key="k-2")
    with pytest.raises(services.IdempotencyMismatch) as exc:
        services.submit_appeal(
            portal_app, {**citizen_appeal, "content": "另一件事"}, idempotency_key="k-2"
        )
    assert exc.value.status == 409 and exc.value.as_dict()["order"] == first.number
    assert WorkOrder.objects.count() == 1


def test_a_failed_submission_does_not_burn_its_key(portal_app, citizen_appeal):
    with pytest.raises(ValidationFailed):
        services.submit_appeal(portal_app, {**citizen_appeal, "lat": 999}, idempotency_key="k-3")
    assert not IdempotencyRecord.objects.exists()
    order, created = services.submit_appeal(portal_app, citizen_appeal, idempotency_key="k-3")
    assert created


def test_demo_has_one_client_per_channel_with_documented_keys(org, citizen_appeal):
    from hotline.channels.demo import DEMO_CLIENTS, build_channel_clients, demo_key

    build_channel_clients()
    build_channel_clients()  # rebuilding keeps one client per channel
    assert ChannelClient.objects.count() == len(DEMO_CLIENTS)
    grid = services.authenticate_key(demo_key("grid"))
    assert grid is not None and grid.auto_accept and grid.channel == "grid"
    assert services.authenticate_key(demo_key("portal")).channel == "portal"
