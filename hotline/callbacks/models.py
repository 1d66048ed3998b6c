"""Smart callback and citizen notifications (§6.8.2) — the data.

* ``CallbackRule`` — the callback policy as the administrator edits it (the built-in rows of
  ``hotline.rules.callback.DEFAULT_POLICY`` apply while none exist).
* ``Survey`` — one SMS or WeChat survey of one order's citizen, from sending to its end.
* ``InboundSms`` — every reply the SMS provider delivered, matched or not.
* ``ReplayNonce`` — the nonces of signed deliveries already seen (replay protection).
* ``TrackingLink`` — the short link to an order's progress sent in the acceptance SMS.
* ``SmsOptOut`` — citizens who asked for no more SMS.

Nothing here changes a work order: callbacks are recorded and orders closed through
``hotline.orders.actions`` (``hotline.callbacks.actions`` calls them).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from hotline.callbacks.choices import INBOUND_OUTCOMES, OPT_OUT_VIA, SURVEY_METHODS, SURVEY_STATES
from hotline.rules import callback as rules
from hotline.rules import taxonomy

USER = settings.AUTH_USER_MODEL

EMERGENCY_CHOICES = [("any", "不限"), ("yes", "仅应急类"), ("no", "非应急类")]


def _codes(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split(",") if v.strip())


def _help(vocabulary) -> str:
    return "逗号分隔，留空为不限：" + "、".join(f"{t.code}={t.label}" for t in vocabulary)


class CallbackRule(models.Model):
    """One row of the callback policy (§6.8.2), edited by the administrator: orders that fit
    every condition get this callback — a person (manual) or a survey (smart).  Rows are
    tried in ``position`` order; the first that fits and can reach the citizen decides.
    While no active row exists the built-in policy applies."""

    position = models.PositiveSmallIntegerField("顺序")
    label = models.CharField("说明", max_length=100)
    method = models.CharField(
        "回访方式",
        max_length=16,
        choices=[(t.code, t.label) for t in taxonomy.CALLBACK_METHODS],
    )
    mode = models.CharField("人工/智能", max_length=8, choices=taxonomy.CALLBACK_MODES.choices())
    channels = models.CharField(
        "诉求来源", max_length=200, blank=True, help_text=_help(taxonomy.CHANNELS)
    )
    appeal_types = models.CharField(
        "诉求类型", max_length=200, blank=True, help_text=_help(taxonomy.APPEAL_TYPES)
    )
    domains = models.CharField(
        "归口分类", max_length=400, blank=True, help_text=_help(taxonomy.DOMAINS)
    )
    urgencies = models.CharField(
        "紧急程度", max_length=100, blank=True, help_text=_help(taxonomy.URGENCY)
    )
    emergency = models.CharField(
        "应急类工单", max_length=4, choices=EMERGENCY_CHOICES, default="any"
    )
    min_reopens = models.PositiveSmallIntegerField("重办次数至少", default=0)
    clause = models.CharField("依据", max_length=60, default="§6.8.2")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "回访策略"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"

    def as_row(self) -> rules.PolicyRow:
        return rules.PolicyRow(
            label=self.label,
            method=self.method,
            mode=self.mode,
            clause=self.clause,
            channels=_codes(self.channels),
            appeal_types=_codes(self.appeal_types),
            domains=_codes(self.domains),
            urgencies=_codes(self.urgencies),
            emergency={"any": None, "yes": True, "no": False}[self.emergency],
            min_reopens=self.min_reopens,
        )

    def clean(self) -> None:
        errors = {}
        for name, vocabulary in (
            ("channels", taxonomy.CHANNELS),
            ("appeal_types", taxonomy.APPEAL_TYPES),
            ("domains", taxonomy.DOMAINS),
            ("urgencies", taxonomy.URGENCY),
        ):
            bad = sorted(c for c in _codes(getattr(self, name)) if c not in vocabulary)
            if bad:
                errors[name] = f"未知的代码：{'、'.join(bad)}"
        if self.mode == "smart" and self.method not in ("sms", "wechat"):
            errors["method"] = "智能回访只能通过短信或微信发送评价"
        if errors:
            raise ValidationError(errors)


class Survey(models.Model):
    """One smart callback (§6.8.2): a survey sent to the citizen by SMS (reply codes and a
    one-time link) or WeChat (the link), waiting for the answer until ``due_at``.

    It ends ``closed`` (satisfied and resolved: the order was closed, §6.7.2), ``to_person``
    (``reason``: unsatisfied, unresolved, not understood, no answer …; a callback agent
    takes over), or ``cancelled`` (a person called back, or the order moved on).  The
    answer itself is the ``Callback`` it recorded; the replies are ``InboundSms`` rows."""

    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE, related_name="surveys")
    method = models.CharField("方式", max_length=8, choices=SURVEY_METHODS.choices())
    to = models.CharField("发送到", max_length=120)
    code = models.CharField("回复码", max_length=8, blank=True)
    token = models.CharField("链接令牌", max_length=32, unique=True)
    rule = models.CharField("回访策略", max_length=100, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=SURVEY_STATES.choices(), default="waiting"
    )
    reason = models.CharField(
        "转人工原因", max_length=16, choices=rules.ESCALATION_REASONS.choices(), blank=True
    )
    satisfaction = models.CharField(
        "满意程度", max_length=24, choices=taxonomy.SATISFACTION.choices(), blank=True
    )
    resolution = models.CharField(
        "解决程度", max_length=16, choices=taxonomy.RESOLUTION.choices(), blank=True
    )
    comment = models.TextField("意见", blank=True)
    source = models.CharField(
        "答复途径", max_length=16, choices=rules.SOURCES.choices(), blank=True
    )
    followups = models.PositiveSmallIntegerField("追问次数", default=0)
    callback = models.ForeignKey(
        "orders.Callback", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发送时间")
    due_at = models.DateTimeField("等待截止")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "智能回访"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"], name="survey_waiting_due", condition=Q(state="waiting")
            ),
            models.Index(fields=["to", "state"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            # a reply's (phone, code) names one waiting survey
            models.UniqueConstraint(
                fields=["to", "code"],
                condition=Q(state="waiting", method="sms"),
                name="survey_one_waiting_per_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_method_display()} {self.get_state_display()}"

    @property
    def message_key(self) -> str:
        return f"survey:{self.pk}:0"

    def followup_key(self, n: int) -> str:
        return f"survey:{self.pk}:{n}"


class InboundSms(models.Model):
    """One SMS the provider delivered to ``POST /api/v1/channel/sms/inbound``, kept whatever
    it said: a survey answer, a late one, an opt-out, or a reply nobody could match (shown
    to the callback desk until someone marks it handled).  Unique per provider message id,
    so a redelivery is recognised and never counted twice."""

    provider = models.CharField("短信服务商", max_length=40)
    message_id = models.CharField("服务商消息编号", max_length=100)
    phone = models.CharField("手机号码", max_length=40, db_index=True)
    code = models.CharField("回复码", max_length=20, blank=True)
    text = models.TextField("内容", blank=True)
    sent_at = models.DateTimeField("服务商接收时间", null=True, blank=True)
    received_at = models.DateTimeField("收到时间", db_index=True)
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    outcome = models.CharField("处理结果", max_length=16, choices=INBOUND_OUTCOMES.choices())
    note = models.CharField("说明", max_length=200, blank=True)
    handled_at = models.DateTimeField("人工处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_note = models.TextField("处理说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上行短信"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "message_id"], name="inboundsms_once_per_message"
            )
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="inboundsms_desk",
                condition=Q(outcome__in=["unmatched", "late"], handled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.text[:20]}"


class ReplayNonce(models.Model):
    """A nonce of a signed delivery, kept for twice the replay window: a second request with
    the same nonce is a replay and refused."""

    provider = models.CharField(max_length=40)
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "防重放随机数"
        constraints = [
            models.UniqueConstraint(fields=["provider", "nonce"], name="replaynonce_once")
        ]


class TrackingLink(models.Model):
    """The short link to one order's public progress (``/portal/t/<token>/``), sent to the
    citizen's own phone in the acceptance SMS; it shows what the tracking page shows."""

    order = models.OneToOneField(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="tracking_link"
    )
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "进度查询链接"


class SmsOptOut(models.Model):
    """A citizen's mobile number that gets no more SMS — no notifications, no SMS surveys
    (a person calls back instead).  Delete the row to send again."""

    phone = models.CharField("手机号码", max_length=20, unique=True)
    at = models.DateTimeField("退订时间")
    via = models.CharField("途径", max_length=16, choices=OPT_OUT_VIA.choices())

    class Meta:
        verbose_name = verbose_name_plural = "短信退订"
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.phone
