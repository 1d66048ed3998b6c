"""Extension points of the workbench that other apps fill in (in their ``AppConfig.ready``).

* ``suggestion_providers`` — the intelligence service (SPEC §9) proposes type, category,
  urgency, emergency kind, non-acceptance reason or unit from what the agent typed.  Each
  provider is ``provider(user, values) -> list[Suggestion]``; the intake page shows them
  in its suggestions panel and a person confirms each one.  ``field`` names the form input
  the "采用" button fills; ``unit`` and ``domain`` suggestions are shown without one.
* ``duplicate_providers`` — ``provider(user, values) -> list[DuplicateHint]``: near-duplicate
  open orders for the same matter (``values["order"]``, when given, is the order itself, on
  its detail page, to leave out).
* ``unit_suggestion_providers`` — ``provider(user, order) -> list[UnitHint]``: handling
  units proposed on the reviewer's dispatch panel, each with its reasons.
* ``direct_close_hooks`` — ``hook(order, user, data)`` called inside the transaction that
  closes an order by direct handling (§6.7.1); the knowledge base links the entry the agent
  used (the form posts it as ``knowledge_entry``).
* ``periodic_jobs`` — ``name → job()``: work an app needs done every minute by the
  background worker (``supervision.worker`` registers each as a huey periodic task), e.g.
  the smart callback's survey time-outs.  A job is idempotent and safe on several workers.
* ``KNOWLEDGE_SEARCH_URL`` — set by the knowledge base to a URL name; the intake page then
  searches it as the agent types (htmx ``GET ?q=``) in the direct-handling box.

Nothing is registered by the core: the panels say so and the pages work without them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    """A proposed value for one intake field, with the reason shown to the agent."""

    field: str
    value: str
    label: str
    reason: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class DuplicateHint:
    number: str
    title: str
    state_label: str
    reason: str = ""


@dataclass(frozen=True)
class UnitHint:
    unit_id: int
    name: str
    reasons: tuple[str, ...] = ()
    score: float | None = None


suggestion_providers: list[Callable[[Any, dict[str, Any]], list[Suggestion]]] = []
duplicate_providers: list[Callable[[Any, dict[str, Any]], list[DuplicateHint]]] = []
unit_suggestion_providers: list[Callable[[Any, Any], list[UnitHint]]] = []
direct_close_hooks: list[Callable[[Any, Any, dict[str, Any]], None]] = []
periodic_jobs: dict[str, Callable[[], Any]] = {}
KNOWLEDGE_SEARCH_URL: str | None = None


def _collect(providers, user, values) -> list:
    out: list = []
    for provider in providers:
        try:
            out.extend(provider(user, values) or [])
        except Exception:  # a broken helper must never block a call being taken
            log.exception("intake helper %r failed", provider)
    return out


def suggestions_for(user, values: dict[str, Any]) -> list[Suggestion]:
    return _collect(suggestion_providers, user, values)


def duplicates_for(user, values: dict[str, Any]) -> list[DuplicateHint]:
    return _collect(duplicate_providers, user, values)


def unit_suggestions_for(user, order) -> list[UnitHint]:
    return _collect(unit_suggestion_providers, user, order)
