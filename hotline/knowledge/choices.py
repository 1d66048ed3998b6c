"""Code lists of the knowledge base: an entry's states and the transitions between them."""

from __future__ import annotations

from hotline.rules.choices import Term, Vocabulary

# §4.2 c: units upload and maintain knowledge; the centre moderates what agents may quote.
STATES = Vocabulary(
    "knowledge_state",
    [
        Term("draft", "草稿", "§4.2 c", "secondary"),
        Term("pending", "待审核", "§4.2 c", "warning"),
        Term("published", "已发布", "§4.2 c", "success"),
        Term("expired", "已失效", "§4.2 c", "dark"),
    ],
)

# action → (states it leaves from, state it reaches, who may do it, Chinese label).
# "owner": a clerk of the owning unit (or a unit above it) or the centre; "centre": the
# centre only (管理员, 督办员).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "submit": (("draft",), "pending", "owner", "提交审核"),
    "publish": (("draft", "pending"), "published", "centre", "审核发布"),
    "return": (("pending",), "draft", "centre", "退回修改"),
    "expire": (("published",), "expired", "owner", "设为失效"),
    "reopen": (("expired",), "draft", "owner", "重新编辑"),
}

ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "import": "导入",
    "attach": "上传附件",
    **{k: v[3] for k, v in TRANSITIONS.items()},
}

# Roles that moderate and publish for the whole centre.
CENTRE_ROLES = frozenset({"admin", "supervisor"})

FIELD_LABELS = {
    "title": "标题",
    "questions": "常见问法",
    "keywords": "关键词",
    "answer": "答复口径",
    "category": "诉求分类",
    "owner_unit": "责任单位",
    "effective_from": "生效日期",
    "expires_on": "失效日期",
    "review_on": "复核日期",
    "state": "状态",
}
