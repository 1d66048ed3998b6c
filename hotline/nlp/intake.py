"""Everything the intake form can pre-fill from one appeal, in one call.

The Django intake view calls :func:`suggest_for_intake` with the text the agent typed (or
the channel submitted) and shows each part next to its field for the agent to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hotline.nlp.defaults import suggest_domain, suggest_subcategory, suggest_type
from hotline.nlp.extract import Elements, Gazetteer, extract
from hotline.nlp.screening import Screening, screen
from hotline.nlp.suggestion import Suggestion


@dataclass(frozen=True)
class IntakeSuggestions:
    """Type (§5.4.1), domain (§5.4.2) and sub-category, screening, §6.1.6 elements."""

    types: list[Suggestion]
    domains: list[Suggestion]
    subcategories: list[Suggestion]
    screening: Screening
    elements: Elements | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "types": [s.as_dict() for s in self.types],
            "domains": [s.as_dict() for s in self.domains],
            "subcategories": [s.as_dict() for s in self.subcategories],
            "screening": self.screening.as_dict(),
            "elements": self.elements.as_dict() if self.elements else None,
        }


def suggest_for_intake(
    text: str,
    title: str = "",
    now: datetime | None = None,
    gazetteer: Gazetteer | None = None,
    domain_model_dir: str | Path | None = None,
    type_model_dir: str | Path | None = None,
    subcategories: dict[str, list[tuple[str, str]]] | None = None,
) -> IntakeSuggestions:
    """All suggestions for one appeal.  ``now`` (the call time, tz-aware) enables element
    extraction; ``subcategories`` maps a domain code to the centre's (code, label) pairs."""
    domains = suggest_domain(text, title, model_dir=domain_model_dir)
    top = domains[0].code if domains else ""
    tree = subcategories.get(top) if subcategories is not None else None
    return IntakeSuggestions(
        types=suggest_type(text, title, model_dir=type_model_dir),
        domains=domains,
        subcategories=suggest_subcategory(top, text, title, subcategories=tree) if top else [],
        screening=screen(text, title),
        elements=extract(f"{title} {text}" if title else text, now, gazetteer) if now else None,
    )
