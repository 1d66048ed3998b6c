"""Workbench test helpers: a browser-like client per persona and orders brought to any
state through the real actions (optionally in the past, so their deadlines are late)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline import clock
from hotline.orders import actions as act

# The smallest valid files of each kind, so uploads are sniffed for real (§6.1.2).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png_picture(width: int = 320, height: int = 200) -> bytes:
    """A real PNG of a grey-blue gradient, made with zlib (a screenshot shows a picture)."""
    import struct
    import zlib

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (60 + x * 120 // width, 110, 160 + y // 4))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


WAV = (
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00"
    b"\x02\x00\x10\x00data\x00\x00\x00\x00"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def wav(name: str = "来电录音.wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, WAV, content_type="audio/wav")


def pdf(name: str = "不再办理说明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web(db):
    """``web(user)`` → a test client signed in as that persona."""

    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


REPLY = {
    "handling_situation": "已安排施工队对3号楼屋面防水层进行修补。",
    "citizen_contact": "11月28日电话联系王先生，告知维修安排。",
    "investigation": "现场查看确认屋面防水层老化开裂约20平方米。",
    "opinion": "使用专项维修资金维修，5个工作日内完工，依据《住宅专项维修资金管理办法》。",
    "public_note": "已安排维修屋面防水层，预计5个工作日内完工。",
}


class Flow:
    """Brings an order to a state through the actions, each step by the right persona."""

    def __init__(self, agent, reviewer, clerk, callback, org, appeal) -> None:
        self.agent, self.reviewer, self.clerk, self.callback = agent, reviewer, clerk, callback
        self.org, self.appeal = org, appeal

    def accepted(self, *, at: datetime | None = None, **values):
        return act.do_create_order(self.agent, {**self.appeal, **values}, now=at)

    def pending_review(self, *, at=None, **values):
        o = self.accepted(at=at, **values)
        return act.do_submit(o, self.agent, now=at)

    def dispatched(self, *, at=None, unit=None, co=(), **values):
        o = self.pending_review(at=at, **values)
        return act.do_dispatch(
            o, self.reviewer, lead_unit=unit or self.org.zjj, co_units=co, now=at
        )

    def handling(self, *, at=None, **kw):
        o = self.dispatched(at=at, **kw)
        return act.do_sign(o, self.clerk, now=at)

    def replied(self, *, at=None, **kw):
        o = self.handling(at=at, **kw)
        act.do_reply(o, self.clerk, now=at, **REPLY)
        o.refresh_from_db()
        return o

    def pending_callback(self, *, at=None, **kw):
        o = self.replied(at=at, **kw)
        return act.do_accept_reply(o, self.reviewer, now=at)

    def overdue(self, days: int = 10, **kw):
        """Dispatched and signed ``days`` ago: its 5-working-day feedback limit has passed."""
        return self.handling(at=clock.now() - timedelta(days=days), **kw)


@pytest.fixture
def flow(agent, reviewer, clerk, callback_agent, org, appeal) -> Flow:
    return Flow(agent, reviewer, clerk, callback_agent, org, appeal)
