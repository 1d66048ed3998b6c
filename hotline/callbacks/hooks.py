"""Where the smart callback joins the order flow: an in-transaction hook on every order
event (``orders.actions.event_hooks``) and a periodic job for the worker
(``common.hooks.periodic_jobs``)."""

from __future__ import annotations

from hotline.callbacks import actions, inbound
from hotline.callbacks.models import InboundSms, Survey
from hotline.common import hooks as common_hooks
from hotline.orders import actions as order_actions
from hotline.orders.models import EVENT_LABELS, Event, WorkOrder

# Events after which a waiting survey has nothing left to ask.
ENDS_SURVEY = {"close", "reopen", "direct_close"}


def on_event(action: str, order: WorkOrder, event: Event) -> None:
    """Runs inside the action's transaction: whatever it queues commits with the action."""
    if action == "accept_reply":
        actions.plan_callback(order, event.at)
    elif action in ENDS_SURVEY:
        actions.cancel_surveys(order, event.at)
    elif action == "record_callback" and event.actor_id and event.data.get("outcome") == "reached":
        actions.cancel_surveys(order, event.at)
    actions.notify_citizen(action, order, event)


def tick() -> dict[str, int]:
    """The worker's periodic check (every minute): surveys out of time go to a person."""
    return actions.expire_surveys().as_dict() | {"nonces_pruned": inbound.prune_nonces()}


def redact_for_retention(orders: list[WorkOrder], redact) -> None:
    """The retention purge (``orders.actions.retention``): the surveys of the purged orders
    forget where they were sent, and their replies lose the citizen's phone and personal
    data, with the order's own fields (PIPL; docs/privacy.md)."""
    for order in orders:
        for survey in Survey.objects.filter(order=order):
            Survey.objects.filter(pk=survey.pk).update(to="", comment=redact(survey.comment, order))
            for reply in InboundSms.objects.filter(survey=survey):
                InboundSms.objects.filter(pk=reply.pk).update(
                    phone="", text=redact(reply.text, order)
                )


def install() -> None:
    if on_event not in order_actions.event_hooks:
        order_actions.event_hooks.append(on_event)
    if redact_for_retention not in order_actions.retention_hooks:
        order_actions.retention_hooks.append(redact_for_retention)
    common_hooks.periodic_jobs.setdefault("callbacks.tick", tick)
    EVENT_LABELS.setdefault("callback_planned", "回访方式")
    EVENT_LABELS.setdefault("callback_to_person", "转人工回访")
    EVENT_LABELS.setdefault("survey_late_reply", "逾期评价回复")
