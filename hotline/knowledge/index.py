"""The search index of the knowledge base, one per process, kept in step with the database.

Each process holds one ``hotline.search.Engine`` over every entry (all states: owners
search their drafts too; what a viewer may see is a filter at query time).  Before each
search the process reads the one-row ``Stamp`` (a primary-key read): if it moved on, the
entries whose ``stamp`` is above the one the index has seen are re-analysed and replaced
(``Engine.add``), so an edit saved by any web worker is found by every other worker on its
next search.  A stamp that went backwards (a restored database), or an entry count that no
longer matches (rows deleted outside the actions), rebuilds the index from scratch.

The segmentation dictionary is seeded with the names of the centre's areas, units and
categories and with the policy terms below, so ``海勃湾区住房和城乡建设局`` or
``住房公积金提取`` stay whole words.  Names added later reach the dictionary at the next
rebuild (a restart, or ``reset()``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from hotline.knowledge.models import Entry, Stamp
from hotline.search import Engine, Hit

# Policy vocabulary of a 12345 centre, kept whole by the segmenter (besides the shipped
# ``hotline/search/data/user_words.txt``).
POLICY_TERMS = (
    "住房公积金",
    "公积金提取",
    "公积金贷款",
    "城乡居民医保",
    "职工医保",
    "异地就医备案",
    "门诊慢特病",
    "灵活就业人员",
    "失业保险金",
    "稳岗返还",
    "创业担保贷款",
    "最低生活保障",
    "特困供养",
    "临时救助",
    "高龄津贴",
    "居家养老服务",
    "残疾人两项补贴",
    "不动产登记",
    "商品房预售资金",
    "住宅专项维修资金",
    "物业服务收费",
    "老旧小区改造",
    "加装电梯",
    "居住证",
    "户籍迁移",
    "新生儿落户",
    "义务教育招生",
    "学区划分",
    "营业执照",
    "个体工商户",
    "电动自行车登记",
    "机动车违章",
    "供暖费",
    "停暖",
    "阶梯水价",
    "燃气安全检查",
    "噪声扰民",
    "占道经营",
    "违章建筑",
    "拖欠农民工工资",
    "劳动仲裁",
    "社保卡",
    "电子社保卡",
    "一网通办",
    "12345",
)


def names() -> list[str]:
    """The centre's own names for the segmentation dictionary."""
    from hotline.catalog.models import Category
    from hotline.org.models import Area, Unit

    words: set[str] = set(POLICY_TERMS)
    for model in (Area, Category):
        words.update(model.objects.values_list("name", flat=True))
    for name, short in Unit.objects.values_list("name", "short_name"):
        words.update(w for w in (name, short) if w)
    return sorted(w for w in words if len(w) >= 2)


def document(entry: Entry) -> dict:
    """The mapping ``hotline.search`` indexes for an entry."""
    return {
        "id": entry.pk,
        "title": entry.title,
        "questions": entry.question_list,
        "keywords": entry.keywords,
        "category": entry.category.name,
        "owner_unit": entry.owner_unit.name,
        "answer": entry.answer,
    }


def current_stamp() -> int:
    return Stamp.objects.filter(pk=1).values_list("value", flat=True).first() or 0


@dataclass
class _Valid:
    stamp: int
    day: date
    ids: frozenset[int]


class KnowledgeIndex:
    """The process's engine and the stamp it is in step with."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._engine: Engine | None = None
        self._stamp = -1
        self._valid: _Valid | None = None
        self.rebuilds = 0  # how often the whole index was built (tests, stats)

    def reset(self) -> None:
        with self._lock:
            self._engine, self._stamp, self._valid = None, -1, None

    def _rebuild(self, stamp: int) -> None:
        engine = Engine(user_words=names())
        rows = Entry.objects.select_related("category", "owner_unit").order_by("pk")
        engine.build(document(e) for e in rows.iterator(chunk_size=2000))
        self._engine, self._stamp, self._valid = engine, stamp, None
        self.rebuilds += 1

    def refresh(self) -> Engine:
        """The engine, brought up to date with the database."""
        stamp = current_stamp()
        with self._lock:
            if self._engine is None or stamp < self._stamp:
                self._rebuild(stamp)
            elif stamp > self._stamp:
                changed = Entry.objects.select_related("category", "owner_unit").filter(
                    stamp__gt=self._stamp
                )
                for e in changed:
                    self._engine.add(document(e))
                self._stamp = stamp
                if len(self._engine) != Entry.objects.count():
                    self._rebuild(stamp)
            assert self._engine is not None
            return self._engine

    def valid_ids(self, day: date) -> frozenset[int]:
        """Ids of the entries agents may see on ``day``, cached per stamp and day (the
        stamp the index was last refreshed to: call ``refresh()`` first)."""
        from hotline.knowledge.queries import valid_entries

        if self._engine is None:
            self.refresh()
        with self._lock:
            v = self._valid
            if v is None or v.stamp != self._stamp or v.day != day:
                ids = frozenset(valid_entries(day).values_list("pk", flat=True))
                v = self._valid = _Valid(self._stamp, day, ids)
            return v.ids


INDEX = KnowledgeIndex()


@dataclass
class Result:
    entry: Entry
    hit: Hit


def search(user, query: str, *, limit: int = 10, day: date | None = None) -> list[Result]:
    """The best entries for ``query`` among those ``user`` may see, best first.  Agents
    (and everyone but owners and the centre) get valid published entries only."""
    from hotline.knowledge import queries as q

    day = day or q.today()
    engine = INDEX.refresh()
    if q.is_centre(user) or user.effective_role in ("unit", "leader"):
        allowed = set(q.visible_entries(user, day).values_list("pk", flat=True))
    else:
        allowed = INDEX.valid_ids(day)
    hits = engine.search(query, limit, filter=allowed)
    if not hits:
        return []
    rows = Entry.objects.select_related("category", "owner_unit").in_bulk([h.id for h in hits])
    return [Result(rows[h.id], h) for h in hits if h.id in rows]
