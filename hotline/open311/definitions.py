"""The centre's category tree as GeoReport services, and their definitions.

Mapping (docs/open311.md): each *leaf* of ``hotline.catalog`` — an active sub-category, or
a domain of §5.4.2 that has no active sub-category — is one service; its ``service_code``
is the category code, its ``group`` the name of its domain (§5.4.2 a–l).  Every service has
the same definition (``metadata`` true): the §6.1 fields a citizen may fill beyond the
spec's own parameters, as ``attribute[code]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotline.catalog.models import Category
from hotline.nlp.defaults import lexicon
from hotline.rules import taxonomy
from hotline.rules.choices import Vocabulary


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition.  ``variable`` false: a notice to show, not
    a question to ask."""

    code: str
    description: str
    datatype: str = "string"
    required: bool = False
    variable: bool = True
    datatype_description: str | None = None
    choices: Vocabulary | None = None

    def as_dict(self, order: int) -> dict[str, Any]:
        row: dict[str, Any] = {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
        }
        if self.choices is not None:
            row["values"] = [{"key": t.code, "name": t.label} for t in self.choices]
        return row

    def clean(self, raw: str) -> str:
        """The submitted value, or ``ValueError`` naming what is wrong."""
        if self.choices is not None and raw not in self.choices:
            keys = "、".join(self.choices.codes)
            raise ValueError(f"attribute[{self.code}] 的取值无效，可选：{keys}")
        if len(raw) > self.max_length:
            raise ValueError(f"attribute[{self.code}] 不能超过 {self.max_length} 个字符")
        return raw

    @property
    def max_length(self) -> int:
        return {"title": 200, "event_time": 100}.get(self.code, 50)


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "emergency_notice",
        "涉及人身、财产安全的紧急情况请直接拨打 110、119、120 或 122，本热线不受理（§5.3 d）。",
        variable=False,
    ),
    Attribute(
        "title",
        "诉求问题：一句话概括（不填则取描述的开头）。",
        datatype_description="不超过 200 个字符",
    ),
    Attribute(
        "appeal_type",
        "诉求类型（§5.4.1）。",
        datatype="singlevaluelist",
        choices=taxonomy.APPEAL_TYPES,
    ),
    Attribute(
        "urgency",
        "紧急程度（§6.1.7），由受理员最终确定。",
        datatype="singlevaluelist",
        choices=taxonomy.URGENCY,
    ),
    Attribute(
        "display_mode",
        "个人信息显示方式（§6.1.6）：保密时承办单位只看到脱敏后的姓名和电话；默认公开。",
        datatype="singlevaluelist",
        choices=taxonomy.DISPLAY_MODES,
    ),
    Attribute(
        "event_time",
        "事发时间（§6.1.5），如“昨天晚上十点”。",
        datatype_description="自由文本，不超过 100 个字符",
    ),
)
ATTRIBUTES_BY_CODE = {a.code: a for a in ATTRIBUTES if a.variable}


def service_categories() -> list[Category]:
    """The leaves of the active category tree: domains in §5.4.2 order (their ``sort``),
    sub-categories by their own ``sort`` within each."""
    nodes = list(Category.objects.filter(active=True))
    parents = {n.parent_id for n in nodes if n.parent_id}
    domain_sort = {n.code: n.sort for n in nodes if n.parent_id is None}

    def key(n: Category) -> tuple:
        return (domain_sort.get(n.domain, 0), n.domain, n.depth, n.sort, n.code)

    return sorted((n for n in nodes if n.pk not in parents), key=key)


def find_service(code: str) -> Category | None:
    """Any active category by code: a domain chosen by a staff member stays addressable
    even though only leaves are listed."""
    return Category.objects.filter(code=code, active=True).first() if code else None


def _groups() -> dict[str, str]:
    return dict(Category.objects.filter(parent__isnull=True).values_list("code", "name"))


def service(category: Category, groups: dict[str, str] | None = None) -> dict[str, Any]:
    groups = groups if groups is not None else _groups()
    group = groups.get(category.domain) or category.domain_label
    words = lexicon().get("subcategory", {}).get(category.code, [])
    description = group if category.is_domain else f"{group} · {category.name}"
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(words),
        "group": group,
    }


def services() -> list[dict[str, Any]]:
    groups = _groups()
    return [service(c, groups) for c in service_categories()]


def definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [a.as_dict(i) for i, a in enumerate(ATTRIBUTES, 1)],
    }
