"""A tiny, Django-free vocabulary type.

Every code list of the standard (channels, types, domains, urgency, reasons …) is a
``Vocabulary`` of ``Term`` rows.  A term carries its stable English code, its Chinese
label, the clause it comes from and, where the UI shows it as a badge, its colour — so
a badge looks the same on every page because the colour lives with the term.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    """One row of a code list: ``code`` is stored, ``label`` is shown."""

    code: str
    label: str
    clause: str = ""
    colour: str = ""
    help: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


class Vocabulary:
    """An ordered, immutable code list with lookup by code."""

    def __init__(self, name: str, terms: list[Term]) -> None:
        codes = [t.code for t in terms]
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate code in vocabulary {name}")
        self.name = name
        self._terms = tuple(terms)
        self._by_code = {t.code: t for t in terms}

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Term:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"{code!r} is not a code of {self.name}") from None

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self._terms]

    def label(self, code: str) -> str:
        """The Chinese label of ``code``, or the code itself if unknown (old data)."""
        term = self._by_code.get(code)
        return term.label if term else code

    def colour(self, code: str) -> str:
        term = self._by_code.get(code)
        return term.colour if term else ""

    def by_label(self, label: str) -> Term | None:
        for t in self._terms:
            if t.label == label:
                return t
        return None

    def choices(self) -> list[tuple[str, str]]:
        """``(code, label)`` pairs, the shape Django's ``choices=`` expects."""
        return [(t.code, t.label) for t in self._terms]
