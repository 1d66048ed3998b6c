"""Files on entries use the core's sniffing (§6.1.2); the demo centre ships entries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.knowledge import actions
from hotline.knowledge.models import Entry, EntryAttachment
from hotline.knowledge.tests.conftest import FUND
from hotline.orders.errors import ValidationFailed
from hotline.web.tests.conftest import PDF


def test_clerk_attaches_a_policy_document_and_a_disguised_file_is_refused(
    clerk, web, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    entry = actions.do_create(clerk, FUND)
    att = actions.do_attach(entry, clerk, SimpleUploadedFile("维修资金管理办法.pdf", PDF))
    assert (att.kind, att.content_type) == ("document", "application/pdf")
    assert entry.versions.first().action == "attach"
    r = web(clerk).get(f"/knowledge/{entry.pk}/files/{att.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    with pytest.raises(ValidationFailed) as exc:
        actions.do_attach(entry, clerk, SimpleUploadedFile("表格.pdf", b"\x00\x01binary"))
    assert "不支持的文件类型" in exc.value.fields["file"]
    assert EntryAttachment.objects.count() == 1
    # through the form: the error is shown beside the file input and nothing is saved
    r = web(clerk).post(
        f"/knowledge/{entry.pk}/edit/",
        {
            **FUND,
            "title": "改过的标题",
            "effective_from": "2026-01-01",
            "review_on": "",
            "attachment": SimpleUploadedFile("表格.pdf", b"\x00\x01binary"),
        },
    )
    assert r.status_code == 422 and "不支持的文件类型" in r.content.decode()
    assert Entry.objects.get().title == FUND["title"]


def test_demo_entries_cover_every_state_and_reset_removes_them(db):
    from hotline.demo import build

    build.build_organisation()
    for builder in build.extra_builders:
        builder(None)
    states = set(Entry.objects.values_list("state", flat=True))
    assert Entry.objects.count() >= 30
    assert states == {"draft", "pending", "published", "expired"}
    from hotline.knowledge import queries as q

    assert q.stale_entries().count() >= 5
    build.reset()
    assert not Entry.objects.exists()
