"""The one Chinese word segmenter: jieba's dictionary and algorithm through ``rjieba``.

Knowledge search (words of entries and queries), concentrated issues (group labels and
rising terms, with part-of-speech tags) and anything else that needs words call this
module, so a word is cut the same way everywhere.  ``rjieba`` is the Rust port of jieba:
the same dictionary and the same cuts (measured identical on the 2,816 replies and on the
4,326 hotspot messages, ``docs/nlp-libraries.md``), about fifteen times faster, and it
loads its dictionary in 0.2 s instead of 0.7–1.6 s.  jieba's HMM guessing of unknown words
is off unless asked for: it cuts a short query and a long text differently.

A segmenter with extra words (a centre's place, unit and policy names) is a separate
dictionary; segmenters are cached by their word list, so the ones with the same words are
shared and the words of one never leak into another.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.metadata import version

import rjieba

# A high frequency makes jieba prefer a user word over its parts.
USER_WORD_FREQUENCY = 100_000


def library_version() -> str:
    """Part of a search index's fingerprint: another version may cut differently."""
    return f"rjieba {version('rjieba')}"


@functools.lru_cache(maxsize=8)
def _segmenter(words: tuple[str, ...]) -> rjieba.Jieba:
    jieba = rjieba.Jieba()
    for word in words:
        jieba.add_word(word, USER_WORD_FREQUENCY, None)
    return jieba


class Segmenter:
    """Word segmentation with an optional list of extra words."""

    def __init__(self, words: Iterable[str] = (), *, hmm: bool = False) -> None:
        self.words = tuple(sorted({w.strip() for w in words if w and w.strip()}))
        self.hmm = hmm
        self._jieba = _segmenter(self.words)

    def cut(self, text: str) -> list[str]:
        """Precise mode: every character in exactly one word."""
        return list(self._jieba.cut(text, self.hmm))

    def cut_for_search(self, text: str) -> list[str]:
        """Search mode: long words also yield the dictionary words inside them."""
        return list(self._jieba.cut_for_search(text, self.hmm))

    def tag(self, text: str) -> list[tuple[str, str]]:
        """Precise-mode words with jieba's part-of-speech tags (``n`` noun, ``ns`` place,
        ``v`` verb, ``t`` time, ``m`` numeral …)."""
        return [(w, t) for w, t in self._jieba.tag(text, self.hmm)]


@functools.cache
def default() -> Segmenter:
    """The segmenter without extra words."""
    return Segmenter()
