"""§6.1.2: voice, image, video and text attachments; the type comes from the bytes."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from hotline.orders.models import Attachment

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"


def _upload(api, number, name, data, content_type, purpose="appeal"):
    return api.client.post(
        f"/api/v1/orders/{number}/attachments",
        {"file": SimpleUploadedFile(name, data, content_type=content_type), "purpose": purpose},
    )


def test_image_and_voice_are_sniffed_and_stored(as_, agent, appeal):
    a = as_(agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    img = _upload(
        a, n, "现场照片.jpg", PNG, "image/jpeg"
    )  # the name and header lie; the bytes don't
    assert img.status_code == 201, img.content
    assert img.json()["kind"] == "image" and img.json()["content_type"] == "image/png"
    voice = _upload(a, n, "录音.wav", WAV, "application/octet-stream")
    assert voice.json()["kind"] == "voice"
    order = a.get(f"/orders/{n}").json()
    assert [x["kind"] for x in order["attachments"]] == ["image", "voice"]
    assert [e["action"] for e in order["timeline"]][-2:] == ["attachment", "attachment"]
    got = a.client.get(order["attachments"][0]["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert got["X-Content-Type-Options"] == "nosniff"


def test_executable_disguised_as_image_is_refused(as_, agent, appeal):
    a = as_(agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    resp = _upload(
        a,
        n,
        "photo.jpg",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),
        "image/jpeg",
    )
    assert resp.status_code == 422 and "不支持的文件类型" in resp.json()["fields"]["file"]
    assert not Attachment.objects.exists()


@override_settings(
    HOTLINE_ATTACHMENT_LIMITS={"image": 10, "voice": 10, "video": 10, "document": 10}
)
def test_size_limit_per_kind(as_, agent, appeal):
    a = as_(agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    resp = _upload(a, n, "big.png", PNG, "image/png")
    assert resp.status_code == 422 and "图片文件不能超过" in resp.json()["fields"]["file"]


def test_attachment_is_served_only_to_who_may_see_the_order(
    as_, agent, reviewer, clerk, other_clerk, appeal, org
):
    a = as_(agent)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    url = _upload(a, n, "a.png", PNG, "image/png").json()["url"]
    a.ok("post", f"/orders/{n}/submit")
    as_(reviewer).ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    assert as_(clerk).client.get(url).status_code == 200
    assert as_(other_clerk).client.get(url).status_code == 404


@pytest.mark.clause("6.6.3")
def test_unit_explains_no_further_handling_with_an_uploaded_document(
    as_, agent, reviewer, clerk, appeal, org
):
    """§6.6.3: the formal written explanation may be a document instead of text."""
    a, u = as_(agent), as_(clerk)
    n = a.ok("post", "/orders", appeal, status=201)["number"]
    a.ok("post", f"/orders/{n}/submit")
    as_(reviewer).ok("post", f"/orders/{n}/dispatch", {"lead_unit": org.zjj.pk})
    u.ok("post", f"/orders/{n}/sign")
    assert (
        u.post(f"/orders/{n}/no-further-handling", {"reason": "a_decided_elsewhere"}).status_code
        == 422
    )
    doc = _upload(
        u,
        n,
        "说明.txt",
        "经法院判决，该纠纷已有生效裁判。".encode(),
        "text/plain",
        purpose="explanation",
    )
    assert doc.json()["kind"] == "document"
    order = u.ok("post", f"/orders/{n}/no-further-handling", {"reason": "a_decided_elsewhere"})
    assert order["state"]["code"] == "replied"
    assert Attachment.objects.get().reply_id == order["replies"][0]["id"]


def test_sniffing_plain_text_cut_mid_character():
    from hotline.orders.attachments import sniff

    data = ("说明" * 3000).encode()
    assert sniff(io.BytesIO(data).read(8192)) == "text/plain"
