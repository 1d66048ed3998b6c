"""Reminders and supervision records (§6.5) — the data.  The sweep that watches deadlines
and climbs the ladder by itself builds on these."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.rules import ladder, taxonomy

USER = settings.AUTH_USER_MODEL


class Reminder(models.Model):
    """A supervisor's phone call to the unit (§6.5): who called whom, when, and whether the
    unit gave a result.  ``kind`` is 催办 (``urge``) when the order was overdue at the time
    — 2 of them without a result put it under supervision (督办) — and 提醒 (``prompt``)
    when no deadline had passed yet: recorded, but counted neither toward 督办 nor in the
    assessment."""

    order = models.ForeignKey(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="reminders"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("催办时间")
    kind = models.CharField(
        "类型", max_length=8, choices=ladder.REMINDER_KINDS.choices(), default="urge"
    )
    contact_name = models.CharField("联系对象", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    result = models.TextField("催办结果", blank=True)
    answered = models.BooleanField("单位已回复处理结果", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "电话催办记录"
        ordering = ["at", "id"]


class SupervisionRecord(models.Model):
    """One step of supervision (督办, §6.5 a–d): the method, who did it, to whom, what was
    said and what came of it.  ``by`` is empty for the system's own smart supervision."""

    order = models.ForeignKey(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="supervision_records"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(
        "督办方式", max_length=16, choices=taxonomy.SUPERVISION_METHODS.choices()
    )
    other_form = models.CharField(
        "其他督办形式",
        max_length=32,
        choices=taxonomy.OTHER_SUPERVISION_FORMS.choices(),
        blank=True,
    )
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("督办时间")
    target = models.CharField("督办对象", max_length=100, blank=True)
    content = models.TextField("督办内容", blank=True)
    result = models.TextField("督办结果", blank=True)
    effective = models.BooleanField("已见成效", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "督办记录"
        ordering = ["at", "id"]


# ---------------------------------------------------------------------------
# The ladder as configuration, the sweep's marks, the outbox and in-system notices.


class LadderStep(models.Model):
    """One rung of a supervision ladder (§6.5 a–d; §6.4.4 for emergency orders), edited by
    the administrator.  While no row exists the built-in ladder of
    ``hotline.supervision.defaults`` applies.  ``after_minutes`` is the wait after the
    previous rung was taken without result — working-day time on the general track, clock
    time on the emergency track."""

    track = models.CharField("督办序列", max_length=16, choices=ladder.TRACKS.choices())
    position = models.PositiveSmallIntegerField("顺序")
    method = models.CharField(
        "督办方式", max_length=16, choices=taxonomy.SUPERVISION_METHODS.choices()
    )
    other_form = models.CharField(
        "其他督办形式",
        max_length=32,
        choices=taxonomy.OTHER_SUPERVISION_FORMS.choices(),
        blank=True,
    )
    after_minutes = models.PositiveIntegerField("上一步无果后等待（分钟）", default=0)
    repeat_minutes = models.PositiveIntegerField(
        "重复间隔（分钟）", null=True, blank=True, help_text="仅最后一步：单位答复前按此间隔重复"
    )
    automatic = models.BooleanField("系统自动执行", default=False)
    recipients = models.CharField(
        "督办对象",
        max_length=120,
        blank=True,
        help_text="逗号分隔：" + "、".join(f"{t.code}={t.label}" for t in ladder.RECIPIENTS),
    )
    channels = models.CharField(
        "发送渠道",
        max_length=60,
        blank=True,
        help_text="逗号分隔：" + "、".join(f"{t.code}={t.label}" for t in ladder.CHANNELS),
    )
    note = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办升级阶梯"
        ordering = ["track", "position", "id"]

    def __str__(self) -> str:
        return f"{ladder.TRACKS.label(self.track)} {self.position}. {self.as_step().label}"

    @staticmethod
    def split(value: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in value.split(",") if v.strip())

    def as_step(self) -> ladder.Step:
        from datetime import timedelta

        return ladder.Step(
            method=self.method,
            after=timedelta(minutes=self.after_minutes),
            automatic=self.automatic,
            other_form=self.other_form if self.method == "other" else "",
            recipients=self.split(self.recipients),
            channels=self.split(self.channels),
            repeat=timedelta(minutes=self.repeat_minutes) if self.repeat_minutes else None,
            note=self.note,
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        bad = [r for r in self.split(self.recipients) if r not in ladder.RECIPIENTS]
        if bad:
            errors["recipients"] = f"未知的督办对象：{'、'.join(bad)}"
        bad = [c for c in self.split(self.channels) if c not in ladder.CHANNELS]
        if bad:
            errors["channels"] = f"未知的发送渠道：{'、'.join(bad)}"
        if self.method == "other" and not self.other_form:
            errors["other_form"] = "其他形式督办须选择具体形式"
        if self.repeat_minutes == 0:
            errors["repeat_minutes"] = "重复间隔须大于0"
        if errors:
            raise ValidationError(errors)


class SweepMark(models.Model):
    """Proof that one piece of the sweep's work was done — the warning of one deadline, the
    overdue notice of one deadline, one rung of one order's ladder, the emergency report of
    one order.  The unique ``key`` (and (deadline, stage)) makes every piece idempotent: two
    sweeps, two workers or a crashed-and-rerun sweep can only ever insert it once, and the
    mark is written in the same transaction as the notices, messages and records it stands
    for, so a crash loses either both or neither."""

    key = models.CharField(max_length=120, unique=True)
    stage = models.CharField(max_length=24)
    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    deadline = models.ForeignKey(
        "orders.Deadline", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    record = models.ForeignKey(
        SupervisionRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=32, db_index=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "督办扫描记录"
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "stage"],
                condition=models.Q(deadline__isnull=False),
                name="sweepmark_once_per_deadline_stage",
            )
        ]
        indexes = [models.Index(fields=["order", "stage"])]


MESSAGE_STATES = [
    ("pending", "待发送"),
    ("sending", "发送中"),
    ("sent", "已发送"),
    ("dead", "发送失败（死信）"),
]


class Message(models.Model):
    """One outgoing SMS, WeChat or in-system message (the outbox, SPEC §5).

    Written in the same transaction as the work that produced it; delivered later by a
    worker that *claims* it (compare-and-set on ``version``, with a lease), sends it through
    the gateway — telling the gateway the idempotency ``key`` — and marks it sent, again by
    compare-and-set on its claim.  A worker that dies mid-send leaves a lease that expires;
    the next worker sends again with the same key, which the gateway uses to drop the
    duplicate.  After ``max_attempts`` failures the message is dead-lettered for an admin."""

    key = models.CharField("幂等键", max_length=200, unique=True)
    channel = models.CharField("渠道", max_length=16, choices=ladder.CHANNELS.choices())
    to = models.CharField("接收方", max_length=120)
    to_name = models.CharField("接收人", max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField("接收角色", max_length=16, blank=True)
    order = models.ForeignKey(
        "orders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类别", max_length=24)
    level = models.CharField("级别", max_length=16, default="info")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    state = models.CharField("状态", max_length=16, choices=MESSAGE_STATES, default="pending")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    lease_until = models.DateTimeField("占用到期", null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    version = models.PositiveIntegerField(default=0)
    last_error = models.TextField("最近错误", blank=True)
    provider_ref = models.CharField("网关回执", max_length=120, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    dead_at = models.DateTimeField("进入死信时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息发件箱"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_waiting",
                condition=models.Q(state__in=["pending", "sending"]),
            ),
            models.Index(fields=["state", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to_name or self.to}: {self.subject}"


class Notice(models.Model):
    """An in-system notice (站内通知) delivered from the outbox to a unit (all its users), a
    user, or a role of the centre (e.g. all supervisors).  One notice per outbox message,
    enforced by the one-to-one link, so a redelivery never shows it twice."""

    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="notice"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField("接收角色", max_length=16, blank=True)
    order = models.ForeignKey(
        "orders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类别", max_length=24)
    level = models.CharField("级别", max_length=16, default="info")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    created_at = models.DateTimeField("时间", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "created_at"]), models.Index(fields=["role"])]


class GatewayDelivery(models.Model):
    """A message key a gateway has delivered, kept in the database so the de-duplication is
    shared by every worker on every machine (``FileGateway``): the unique key makes a second
    delivery of the same message — a worker that died after delivering but before the outbox
    recorded it — a no-op wherever it runs."""

    key = models.CharField("幂等键", max_length=200, unique=True)
    gateway = models.CharField("网关", max_length=40)
    ref = models.CharField("网关回执", max_length=120)
    delivered_at = models.DateTimeField("投递时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "网关投递记录"
        ordering = ["-delivered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.gateway}: {self.key}"


class Heartbeat(models.Model):
    """When a long-running job last completed a turn — one row per job (``sweep``), written
    by the job at the end of each turn (``hotline.supervision.heartbeat``).  ``/health`` and
    the 督办员's board read it: a sweep older than five minutes means the worker stalled."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField("最近完成时间")

    class Meta:
        verbose_name = verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
