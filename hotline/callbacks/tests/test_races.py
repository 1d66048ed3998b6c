"""Races (§6.8.2): the provider delivering one reply twice at the same moment, and a citizen
answering by SMS and on the survey page at once — exactly one answer counts.  Both
databases: PostgreSQL's row locks decide, SQLite's IMMEDIATE transactions queue."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hotline.callbacks import actions as cba
from hotline.callbacks.models import InboundSms, Survey
from hotline.orders.errors import Conflict
from hotline.orders.models import Callback

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("now"),
]  # orders are made at a fixed instant


def _in_thread(fn):
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return run


def test_one_reply_delivered_four_times_at_once_is_recorded_once(flow):
    order = flow.pending_callback()
    barrier = threading.Barrier(4)

    @_in_thread
    def deliver(_):
        barrier.wait()
        return cba.receive_sms("fakesms", "same-id", "13812345678", text="3").status

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(deliver, range(4)))
    assert statuses == ["answered", "duplicate", "duplicate", "duplicate"]
    assert InboundSms.objects.count() == 1
    assert Callback.objects.filter(order=order).count() == 1


def test_an_sms_and_a_page_answer_at_once_give_one_callback(flow):
    order = flow.pending_callback()
    survey = Survey.objects.get(order=order)
    barrier = threading.Barrier(2)

    @_in_thread
    def by_sms():
        barrier.wait()
        return cba.receive_sms("fakesms", "m-1", "13812345678", text="1A").status

    @_in_thread
    def by_page():
        barrier.wait()
        try:
            cba.do_answer_survey(survey.token, satisfaction="unsatisfied", resolution="unresolved")
            return "answered"
        except Conflict:
            return "spent"

    with ThreadPoolExecutor(2) as pool:
        sms, page = pool.submit(by_sms), pool.submit(by_page)
        outcomes = {sms.result(), page.result()}
    assert Callback.objects.filter(order=order).count() == 1
    assert outcomes in ({"answered", "late"}, {"answered", "spent"})
