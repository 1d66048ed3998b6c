"""What the citizen reads: short Chinese SMS texts (one 70-character segment where the link
allows it) and the outbox drafts that carry them.

Every text names only the citizen's own order number, the reply codes and a link to their
own order — never a name, an address, the appeal's words, a staff member or another
citizen.  The opt-out hint ("退订回TD") is added when it still fits in one segment."""

from __future__ import annotations

from django.conf import settings

from hotline.rules import callback as rules
from hotline.supervision.notify import Draft

OPT_OUT_HINT = "，退订回TD"


def conf(name: str):
    return settings.HOTLINE_CALLBACK[name]


def signature() -> str:
    return conf("sms_signature")


def public_link(path: str) -> str:
    """An absolute link for a message, or "" when no public address is configured (the
    message then tells the citizen where to look instead)."""
    base = conf("public_url")
    return f"{base}{path}" if base else ""


def accepted_text(number: str, track_url: str) -> str:
    """§6.1.1: the order number, and where to follow it."""
    where = f"，查询{track_url}" if track_url else "，可凭编号和手机号在网上查询"
    return rules.fit_sms(f"{signature()}您的诉求已受理，编号{number}{where}", [OPT_OUT_HINT])


def replied_text(number: str, track_url: str) -> str:
    """§6.4.2: the unit has answered; the answer itself is on the tracking page."""
    where = f"，详见{track_url}" if track_url else "，可在网上查询答复内容"
    return rules.fit_sms(f"{signature()}您的诉求{number}已有答复{where}", [OPT_OUT_HINT])


def closed_text(number: str) -> str:
    """§6.7: the order is closed."""
    return rules.fit_sms(
        f"{signature()}您的诉求{number}已办结，感谢您对12345热线的支持", [OPT_OUT_HINT, "。"]
    )


def survey_text(number: str, survey_url: str) -> str:
    """§6.8.2–§6.8.3: the reply codes and the one-time link (two segments with the link)."""
    text = (
        f"{signature()}您的诉求{number}已办理，请回复评价："
        "1满意2基本满意3不满意，A已解决B未解决，如1A"
    )
    if survey_url:
        return f"{text}。或点击{survey_url}"
    return rules.fit_sms(text, ["。", OPT_OUT_HINT])


def wechat_survey_text(number: str, survey_url: str) -> str:
    return f"您的诉求{number}已办理，请点击评价满意程度和解决情况：{survey_url}"


def followup_text(missing: str) -> str:
    """§6.8.3: the half of the answer that is missing."""
    if missing == "resolution":
        return f"{signature()}请再回复问题是否解决：A已解决，B未解决"
    return f"{signature()}请再回复满意程度：1满意，2基本满意，3不满意"


def citizen_draft(key: str, kind: str, channel: str, to: str, order, body: str) -> Draft:
    return Draft(
        key=key[:200],
        channel=channel,
        to=to,
        to_name="服务对象",
        kind=kind,
        level="info",
        subject=f"{kind}:{order.number}",
        body=body,
        order_id=order.pk,
    )


def to_person_draft(key: str, order, reason_label: str) -> Draft:
    """An in-system notice to the callback desk: this order needs a person (§6.8)."""
    return Draft(
        key=key[:200],
        channel="system",
        to="role:callback",
        to_name="回访岗",
        kind="callback_to_person",
        level="warning",
        subject=f"转人工回访：{order.number}",
        body=f"工单{order.number}智能回访结果：{reason_label}，请人工回访（§6.8）。",
        order_id=order.pk,
        role="callback",
    )
