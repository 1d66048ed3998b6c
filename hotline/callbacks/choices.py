"""Code lists of the smart callback: survey states and what became of an inbound SMS."""

from __future__ import annotations

from hotline.rules.choices import Term, Vocabulary

SURVEY_STATES = Vocabulary(
    "survey_state",
    [
        Term("waiting", "等待评价", "§6.8.2", "info"),
        Term("closed", "满意已结案", "§6.7.2", "success"),
        Term("to_person", "转人工回访", "§6.8", "warning"),
        Term("cancelled", "已取消", "§6.8", "secondary"),
    ],
)

SURVEY_METHODS = Vocabulary(
    "survey_method",
    [Term("sms", "短信", "§6.8.2"), Term("wechat", "微信", "§6.8.2")],
)

INBOUND_OUTCOMES = Vocabulary(
    "inbound_outcome",
    [
        Term("answered", "已计入评价", "§6.8.2", "success"),
        Term("followed_up", "已追问", "§6.8.3", "info"),
        Term("late", "逾期回复", "§6.8.2", "warning"),
        Term("unmatched", "未匹配", "§6.8.2", "danger"),
        Term("opt_out", "退订短信", "[beyond: 个人信息保护法 §44]", "secondary"),
    ],
)

# Where a citizen told us to stop sending SMS.
OPT_OUT_VIA = Vocabulary(
    "opt_out_via",
    [
        Term("sms", "短信回复退订"),
        Term("portal", "网页退订"),
        Term("agent", "来电要求"),
    ],
)

NOTIFICATION_KINDS = Vocabulary(
    "citizen_notification",
    [
        Term("accepted", "受理通知", "§6.1.1"),
        Term("replied", "答复通知", "§6.4.2"),
        Term("closed", "办结通知", "§6.7"),
        Term("survey", "回访评价", "§6.8.2"),
        Term("survey_followup", "评价追问", "§6.8.3"),
    ],
)
