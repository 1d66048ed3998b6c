"""The one result shape every suggester returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    """One suggested code, how sure the suggester is, and the words behind it."""

    code: str
    label: str
    confidence: float
    matched: list[str]
    clause: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "confidence": self.confidence,
            "matched": list(self.matched),
            "clause": self.clause,
            **({"extra": dict(self.extra)} if self.extra else {}),
        }
