"""§6.1.2: an appeal is received as voice, text, image or video — each kept on the order
with its kind, whatever the file is called; anything else is refused, nothing half-saved."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.orders import actions as act
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import Attachment, Event
from hotline.rules.calendar import SHANGHAI
from hotline.web.tests.conftest import PDF, PNG, WAV

AT = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.clause("6.1.2")
def test_voice_text_image_and_video_are_all_forms_of_one_appeal(agent, appeal):
    """The text is the order itself; a call recording, a photo, a phone video and a
    written statement go with it, each recognised by its content, not its name."""
    order = act.do_create_order(agent, appeal, now=AT)
    assert order.content.startswith("康乐小区3号楼")  # 文字
    files = [
        ("来电录音.bin", WAV, "voice"),
        ("现场照片", PNG, "image"),
        ("现场视频.mov", MP4, "video"),
        ("书面材料.pdf", PDF, "document"),
    ]
    for name, data, _ in files:
        act.do_attach(order, agent, upload(name, data), now=AT)
    kinds = list(order.attachments.order_by("pk").values_list("kind", flat=True))
    assert kinds == [kind for _, _, kind in files]
    assert Event.objects.filter(order=order, action="attachment").count() == 4


@pytest.mark.clause("6.1.2")
def test_a_program_dressed_up_as_a_video_is_refused_and_nothing_is_kept(agent, appeal):
    order = act.do_create_order(agent, appeal, now=AT)
    with pytest.raises(ValidationFailed) as err:
        act.do_attach(order, agent, upload("现场视频.mp4", EXE), now=AT)
    assert "不支持的文件类型" in err.value.fields["file"]
    assert not Attachment.objects.filter(order=order).exists()
    assert not Event.objects.filter(order=order, action="attachment").exists()
