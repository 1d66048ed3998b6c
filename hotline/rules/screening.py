"""Screening codes: what is not accepted (§5.3), what is an emergency (§6.4.4) and when a
unit may stop handling (§6.6.3).

Each list keeps the clause letter as its code suffix so a record reads back to the
standard.  Emergency-line matters (§5.3 d) also say which line the agent transfers to.
"""

from __future__ import annotations

from hotline.rules.choices import Term, Vocabulary

# §5.3 a–g — 不受理事项.
NOT_ACCEPTED_REASONS = Vocabulary(
    "not_accepted_reason",
    [
        Term(
            "a_legal_procedure",
            "应通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等程序解决",
            "§5.3 a",
        ),
        Term("b_petition", "已进入信访渠道", "§5.3 b"),
        Term("c_secret_or_privacy", "涉及国家秘密、商业秘密、个人隐私或违背公序良俗", "§5.3 c"),
        Term(
            "d_emergency_line",
            "属于110、119、120、122等紧急热线受理范围",
            "§5.3 d",
            help="请引导来电人拨打对应紧急热线或转接",
        ),
        Term("e_harassment_or_unclear", "恶意攻击骚扰、表达不清或无实质内容", "§5.3 e"),
        Term("f_illegal_demand", "违反法律法规、规章制度及政策规定", "§5.3 f"),
        Term("g_other_statutory", "法律法规、规章制度及政策规定的其他不予受理事项", "§5.3 g"),
    ],
)

# §5.3 d — which emergency line takes which matter.
EMERGENCY_LINES = Vocabulary(
    "emergency_line",
    [
        Term("110", "110 报警（治安、刑事案件）", "§5.3 d"),
        Term("119", "119 火警（火灾、抢险救援）", "§5.3 d"),
        Term("120", "120 急救（伤病急救）", "§5.3 d"),
        Term("122", "122 交通事故报警", "§5.3 d"),
    ],
)

# §6.4.4 a–d — 应急类工单.
EMERGENCY_KINDS = Vocabulary(
    "emergency_kind",
    [
        Term("a_utility_outage", "区域性水、电、气、暖、网等问题", "§6.4.4 a", "danger"),
        Term("b_natural_disaster", "自然灾害、地质灾害及次生灾害", "§6.4.4 b", "danger"),
        Term("c_public_emergency", "公共突发事件", "§6.4.4 c", "danger"),
        Term("d_emergency_line_linkage", "与110、119、120、122联动", "§6.4.4 d", "danger"),
    ],
)

# §6.6.3 a–d — 不再办理.
NO_FURTHER_HANDLING_REASONS = Vocabulary(
    "no_further_handling_reason",
    [
        Term(
            "a_decided_elsewhere",
            "已通过诉讼、仲裁、行政复议、行政处罚、信访等作出决定或正在处理",
            "§6.6.3 a",
        ),
        Term("b_not_compliant", "诉求不符合法律、法规、规章及政策规定", "§6.6.3 b"),
        Term("c_repeated", "已依法办理并回复，仍以同一事实、同一理由重复提出", "§6.6.3 c"),
        Term("d_other_statutory", "法律、法规、规章等规定的其他情形", "§6.6.3 d"),
    ],
)

# §6.4.3 a–d — the four parts every reply must carry.
REPLY_PARTS = Vocabulary(
    "reply_part",
    [
        Term("handling_situation", "承办单位办理情况", "§6.4.3 a"),
        Term("citizen_contact", "联系服务对象情况", "§6.4.3 b"),
        Term("investigation", "调查核实过程和结果", "§6.4.3 c"),
        Term("opinion", "处理意见、处理时限、法定依据", "§6.4.3 d"),
    ],
)


def missing_reply_parts(parts: dict[str, str]) -> list[str]:
    """Codes of the §6.4.3 a–d parts that are absent or blank in ``parts``."""
    return [t.code for t in REPLY_PARTS if not (parts.get(t.code) or "").strip()]


# §6.1.5 — fields an electronic work order must have before it is accepted.
REQUIRED_ORDER_FIELDS = {
    "category": "诉求分类",
    "title": "诉求问题",
    "address": "发生地址",
    "content": "诉求内容",
}


def missing_required_fields(values: dict[str, object]) -> dict[str, str]:
    """§6.1.5: map each missing required field to its Chinese error message."""
    errors: dict[str, str] = {}
    for name, label in REQUIRED_ORDER_FIELDS.items():
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = f"{label}为必填项（§6.1.5）"
    return errors
