"""The electronic work order (电子工单, §6.1) and everything that happens to it.

Views, the API, commands and the worker never ``save()`` these models directly: every
change goes through a ``do_*`` function in ``hotline.orders.actions``, which checks the
transition table of ``hotline.rules.lifecycle`` and appends an ``Event``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from hotline.rules import lifecycle, masking, screening, taxonomy
from hotline.rules.deadlines import DEADLINE_KINDS

USER = settings.AUTH_USER_MODEL


class WorkOrderQuerySet(models.QuerySet):
    def open(self) -> WorkOrderQuerySet:
        return self.exclude(state__in=["rejected", "closed"])


class WorkOrder(models.Model):
    """One appeal of one citizen, from first contact to callback.

    Required before acceptance (§6.1.5): ``category``, ``title``, ``address``, ``content``.
    Per-stage timestamps (``accepted_at`` … ``closed_at``) make statistics cheap without
    replaying the timeline; the timeline (``Event``) is the full history.
    """

    number = models.CharField("工单编号", max_length=20, unique=True)
    # no index of its own, nor domain's, created_at's or lead_unit's: each leads an index
    # of Meta.indexes, which answers the same lookups (one index fewer to write per order,
    # one fewer to rebuild in a bulk load)
    state = models.CharField("状态", max_length=24, choices=lifecycle.STATES.choices())

    # §6.1.3 source, §5.4 classification
    channel = models.CharField("诉求来源", max_length=16, choices=taxonomy.CHANNELS.choices())
    appeal_type = models.CharField(
        "诉求类型", max_length=16, choices=taxonomy.APPEAL_TYPES.choices(), blank=True
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name="诉求分类", null=True, blank=True, on_delete=models.PROTECT
    )
    domain = models.CharField(
        "归口分类", max_length=32, choices=taxonomy.DOMAINS.choices(), blank=True
    )

    # §6.1.5 / §6.1.6 content
    title = models.CharField("诉求问题", max_length=200, blank=True)
    content = models.TextField("诉求内容", blank=True)
    address = models.CharField("发生地址", max_length=500, blank=True)
    area = models.ForeignKey(
        "org.Area", verbose_name="所属区域", null=True, blank=True, on_delete=models.PROTECT
    )
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    component_type = models.CharField(
        "部件类型", max_length=32, choices=taxonomy.COMPONENT_TYPES.choices(), blank=True
    )
    event_time = models.CharField("事发时间", max_length=100, blank=True)
    people = models.CharField("涉及人物", max_length=200, blank=True)
    cause = models.TextField("事件起因", blank=True)
    course = models.TextField("事件经过", blank=True)
    demand = models.TextField("诉求", blank=True)

    # §6.1.4 citizen, §6.1.6 display mode
    citizen_name = models.CharField("姓名", max_length=50, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=30, blank=True, db_index=True)
    citizen_address = models.CharField("联系地址", max_length=300, blank=True)
    display_mode = models.CharField(
        "个人信息显示方式",
        max_length=16,
        choices=taxonomy.DISPLAY_MODES.choices(),
        default="public",
    )

    # §6.1.7 urgency, §6.4.4 emergency
    urgency = models.CharField(
        "紧急程度", max_length=16, choices=taxonomy.URGENCY.choices(), default="normal"
    )
    emergency_kind = models.CharField(
        "应急类型", max_length=32, choices=screening.EMERGENCY_KINDS.choices(), blank=True
    )

    # §5.3 not accepted
    not_accepted_reason = models.CharField(
        "不予受理原因", max_length=32, choices=screening.NOT_ACCEPTED_REASONS.choices(), blank=True
    )
    emergency_line = models.CharField(
        "转接紧急热线", max_length=8, choices=screening.EMERGENCY_LINES.choices(), blank=True
    )
    rejection_note = models.TextField("不予受理说明", blank=True)

    # §6.7.1 direct handling
    direct_answer = models.TextField("直办答复", blank=True)

    # dispatch: the current lead unit (the full history is in ``Assignment``)
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_orders",
        db_index=False,
    )

    # per-stage timestamps (UTC)
    created_at = models.DateTimeField("登记时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派转时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply_accepted_at = models.DateTimeField("答复认定时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # counters used by guards (§6.5) and statistics; the events are the source of truth
    reminder_count = models.PositiveSmallIntegerField("催办次数", default=0)
    supervised_at = models.DateTimeField("进入督办时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    # retention (PIPL Art. 19): when the citizen's personal data was anonymised
    personal_data_purged_at = models.DateTimeField("个人信息匿名化时间", null=True, blank=True)

    created_by = models.ForeignKey(
        USER,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["lead_unit", "state"]),
            models.Index(fields=["state", "created_at"]),
            # the lists' order (newest first, id breaks ties) and their common filters,
            # each with the order so a page is an index range (docs/search.md)
            models.Index(fields=["created_at", "id"], name="order_created_id"),
            models.Index(fields=["lead_unit", "created_at"], name="order_unit_created"),
            models.Index(fields=["domain", "created_at"], name="order_domain_created"),
            models.Index(fields=["channel", "created_at"], name="order_channel_created"),
            models.Index(fields=["urgency", "created_at"], name="order_urgency_created"),
            models.Index(
                fields=["created_at"],
                condition=~models.Q(emergency_kind=""),
                name="order_emergency_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_emergency(self) -> bool:
        """§6.4.4: an order is an emergency order when it carries an emergency kind."""
        return bool(self.emergency_kind)

    @property
    def is_confidential(self) -> bool:
        return self.display_mode == "confidential"

    @property
    def state_label(self) -> str:
        return lifecycle.STATES.label(self.state)

    @property
    def state_colour(self) -> str:
        return lifecycle.STATES.colour(self.state)


class OrderSequence(models.Model):
    """The last order number handed out per day (Asia/Shanghai).  Incremented under a row
    lock, so concurrent intake never repeats a number; a rolled-back transaction leaves a
    gap, which is allowed (SPEC §2: gap-tolerant, never reused)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工单编号序列"


class Assignment(models.Model):
    """A unit's part in an order (§6.3): the lead unit (主办) or a co-unit (协办).

    A re-dispatch, a 退单 or a reopening ends the old rows and adds new ones, so the history
    of who had the order stays."""

    ROLES = [("lead", "主办"), ("co", "协办")]
    END_REASONS = [
        ("unit_return", "退单"),
        ("redispatch", "改派"),
        ("completed", "办结"),
    ]

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assignments")
    # indexed as the first column of (unit, ended_at)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    role = models.CharField("角色", max_length=8, choices=ROLES)
    dispatched_at = models.DateTimeField("派转时间")
    dispatched_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=16, choices=END_REASONS, blank=True)
    note = models.TextField("派转意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "派转记录"
        ordering = ["dispatched_at", "id"]
        indexes = [models.Index(fields=["unit", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.order.number} → {self.unit} ({self.get_role_display()})"


class DeadlineQuerySet(models.QuerySet):
    def active(self) -> DeadlineQuerySet:
        return self.filter(met_at__isnull=True, superseded_at__isnull=True)


class Deadline(models.Model):
    """One running or finished time limit of an order (§6.2, §6.4, policy).

    Its light (normal/warning/overdue/met) is never stored: it is derived from ``due_at``,
    ``warn_at``, ``met_at`` and ``now`` by ``hotline.rules.deadlines.deadline_state``.
    A deadline ends either ``met`` (the step it guards was done) or ``superseded`` (an
    extension, a hang-up, a 退单 replaced it).  ``provisional`` deadlines ran into a year
    whose holidays are not loaded and are recomputed when it is.
    """

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="deadlines")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField("时限类型", max_length=16, choices=DEADLINE_KINDS.choices())
    start_at = models.DateTimeField("起算时间")
    due_at = models.DateTimeField("截止时间")
    warn_at = models.DateTimeField("预警时间")
    basis = models.CharField(max_length=16)
    amount = models.PositiveIntegerField()
    clause = models.CharField(max_length=32)
    rule = models.CharField(max_length=100)
    skipped = models.JSONField(default=list, blank=True)
    # [[stopped, resumed], …] ISO instants: spans the clock stood still (退回受理, §6.2)
    paused = models.JSONField(default=list, blank=True)
    provisional = models.BooleanField("暂定", default=False)
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    superseded_at = models.DateTimeField("失效时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "办理时限"
        ordering = ["start_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="deadline_active_due",
                condition=Q(met_at__isnull=True, superseded_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="deadline_active_warn",
                condition=Q(met_at__isnull=True, superseded_at__isnull=True),
            ),
            models.Index(
                fields=["order"],
                name="deadline_provisional",
                condition=Q(provisional=True, met_at__isnull=True, superseded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.met_at is None and self.superseded_at is None


class Event(models.Model):
    """An append-only line of an order's timeline: who did what, when, from which state to
    which.  Rows are never updated or deleted."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        USER,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_role = models.CharField("角色", max_length=16, blank=True)
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # indexed as the first column of (action, at)
    action = models.CharField("动作", max_length=32)
    from_state = models.CharField("原状态", max_length=24, blank=True)
    to_state = models.CharField("新状态", max_length=24, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单轨迹"
        ordering = ["at", "id"]
        # made by analytics/0002 (the analytics date events by action); adopted here so
        # ``action`` needs no index of its own
        indexes = [models.Index(fields=["action", "at"], name="an_event_action_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("timeline events are append-only")

    @property
    def action_label(self) -> str:
        return EVENT_LABELS.get(self.action) or lifecycle.ACTIONS.label(self.action)


EVENT_LABELS = {
    "create": "登记受理",
    "recorded_rejected": "登记（不予受理）",
    "deadline_recomputed": "时限重新计算",
    "attachment": "上传附件",
    "personal_info_viewed": "查看个人信息",
    "duplicate_linked": "被关联重复工单",
    "merged_in": "并入工单",
    "unmerged_out": "取消并入",
}


class OrderLink(models.Model):
    """A duplicate (``order``) linked to or merged into its main order (并单, §6.6.3 c).

    ``link`` is a note on both timelines; ``merge`` puts the duplicate in state ``merged``:
    it is handled under the main order, its citizen is called back when the main order
    waits for callback, and it closes with the main order.  Ending a link (取消并单) sets
    ``ended_at``; rows are kept as history."""

    KINDS = [("link", "关联重复"), ("merge", "并单")]

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="duplicate_links")
    main = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="linked_duplicates")
    kind = models.CharField("类型", max_length=8, choices=KINDS)
    reason = models.TextField("说明", blank=True)
    score = models.FloatField("相似度", null=True, blank=True)
    previous_state = models.CharField("并单前状态", max_length=24, blank=True)
    created_at = models.DateTimeField("时间")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField("取消时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "重复工单关联"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="merge", ended_at__isnull=True),
                name="orderlink_one_active_merge",
            ),
            models.UniqueConstraint(
                fields=["order", "main"],
                condition=Q(ended_at__isnull=True),
                name="orderlink_one_active_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} → {self.main.number} ({self.get_kind_display()})"


class ExtensionRequest(models.Model):
    """A unit's request for more time on a complex order (§6.4.1): at most 5 working days,
    approved or denied by the hotline centre."""

    DECISIONS = [("pending", "待审批"), ("approved", "已批准"), ("denied", "已驳回")]

    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="extension_requests"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField("延期工作日数")
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    decision = models.CharField("审批结果", max_length=16, choices=DECISIONS, default="pending")
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        ordering = ["requested_at"]


class SuspensionRequest(models.Model):
    """A hang-up (挂单, §6.4.1) for a matter with a statutory time limit: at most 90 natural
    days, approved by the centre; the feedback clock pauses and resumes with the working
    days that were left."""

    DECISIONS = ExtensionRequest.DECISIONS

    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="suspension_requests"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField("挂单自然日数")
    reason = models.TextField("挂单理由及法定依据")
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    decision = models.CharField("审批结果", max_length=16, choices=DECISIONS, default="pending")
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    working_days_left = models.PositiveSmallIntegerField("挂单时剩余工作日", null=True, blank=True)
    resumed_at = models.DateTimeField("恢复办理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "挂单申请"
        ordering = ["requested_at"]


class Reply(models.Model):
    """A unit's answer (§6.4.2): either a reply with the four parts of §6.4.3 a–d, or a
    "no further handling" statement (§6.6.3 a–d) with its formal written explanation.

    ``public_note`` is the part fit for the citizen (portal, apps, Open311 ``status_notes``).
    The centre then accepts it (答复认定) or sends it back for re-verification (§6.6.2)."""

    KINDS = [("reply", "办理答复"), ("no_further_handling", "不再办理说明")]
    VERDICTS = [("", "待认定"), ("accepted", "认定通过"), ("reverify", "再次核实")]

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=24, choices=KINDS, default="reply")
    handling_situation = models.TextField("办理情况", blank=True)  # §6.4.3 a
    citizen_contact = models.TextField("联系服务对象情况", blank=True)  # §6.4.3 b
    investigation = models.TextField("调查核实过程和结果", blank=True)  # §6.4.3 c
    opinion = models.TextField("处理意见、时限及法定依据", blank=True)  # §6.4.3 d
    no_further_reason = models.CharField(
        "不再办理情形",
        max_length=32,
        choices=screening.NO_FURTHER_HANDLING_REASONS.choices(),
        blank=True,
    )
    explanation = models.TextField("书面说明", blank=True)
    public_note = models.TextField("公开答复", blank=True)
    replied_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField("答复时间")
    verdict = models.CharField("认定结果", max_length=16, choices=VERDICTS, blank=True)
    verdict_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict_at = models.DateTimeField("认定时间", null=True, blank=True)
    verdict_note = models.TextField("认定意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "答复"
        ordering = ["replied_at", "id"]


class Callback(models.Model):
    """A callback to the citizen (§6.8): method, manual or smart, whether the citizen was
    reached, satisfaction and resolution (§6.8.3).

    A smart callback (§6.8.2: an SMS or WeChat survey, the citizen's own rating) keeps the
    citizen's words in ``raw_reply`` and may carry only the half the citizen answered.
    ``assessed``: whether the unit assessment counts it — the first answer of each round
    does, later ones in the same round do not (``rules.callback.counts_in_assessment``)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    method = models.CharField(
        "回访方式", max_length=16, choices=taxonomy.CALLBACK_METHODS.choices()
    )
    mode = models.CharField(
        "人工/智能", max_length=8, choices=taxonomy.CALLBACK_MODES.choices(), default="manual"
    )
    outcome = models.CharField(
        "回访结果", max_length=16, choices=taxonomy.CALLBACK_OUTCOMES.choices(), default="reached"
    )
    satisfaction = models.CharField(
        "满意程度", max_length=24, choices=taxonomy.SATISFACTION.choices(), blank=True
    )
    resolution = models.CharField(
        "解决程度", max_length=16, choices=taxonomy.RESOLUTION.choices(), blank=True
    )
    note = models.TextField("回访记录", blank=True)
    raw_reply = models.TextField("服务对象原始回复", blank=True)
    assessed = models.BooleanField("计入考核", default=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("回访时间")

    class Meta:
        verbose_name = verbose_name_plural = "回访记录"
        ordering = ["at", "id"]


def attachment_path(instance: StoredFile, filename: str) -> str:
    """A random name with no extension: nothing the client chose reaches the disk or the
    bucket (a file called ``x.html`` would become a page if the folder were ever served by
    mistake), and the name tells nobody what is inside.  The client's name is kept in
    ``original_name`` for the download; the type is the sniffed ``content_type``."""
    return f"{instance.FOLDER}/{instance.uploaded_at:%Y/%m}/{secrets.token_hex(16)}"


class StoredFile(models.Model):
    """An uploaded file whose kind and content type were sniffed from its bytes (§6.1.2,
    ``hotline.orders.attachments``); stored under ``FOLDER/yyyy/mm/`` with a random name."""

    FOLDER = "attachments"

    kind = models.CharField("类型", max_length=16, choices=taxonomy.ATTACHMENT_KINDS.choices())
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Attachment(StoredFile):
    """A voice, image, video or document file of an order (§6.1.2), or of a reply (a unit's
    written explanation, §6.6.3).  The content type is sniffed from the bytes, not taken
    from the client."""

    PURPOSES = [
        ("appeal", "诉求材料"),
        ("reply", "答复材料"),
        ("explanation", "不再办理书面说明"),
        ("other", "其他"),
    ]

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    purpose = models.CharField("用途", max_length=16, choices=PURPOSES, default="appeal")

    class Meta(StoredFile.Meta):
        verbose_name = verbose_name_plural = "附件"


class PendingUpload(models.Model):
    """A file written to storage but not yet linked to an order (``orders.attachments.stage``).

    Uploads are stored *before* the short transaction that numbers the order and links its
    files, so hashing and writing a 100 MB video never holds the day's order-number row.
    The linking transaction deletes this row; a row that outlives ``ORPHAN_AFTER`` (the
    action failed, the process died) names an orphan, which the worker's periodic
    ``purge_orphans`` removes from storage — whatever the storage is (local or S3)."""

    name = models.CharField("存储路径", max_length=200, unique=True)
    created_at = models.DateTimeField("写入时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "待关联的上传文件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class PersonalInfoAccess(models.Model):
    """Every unmasked view or export of a citizen's personal information (SPEC §2, PIPL
    Art. 51): who (and in which role), when, which order, which fields (``citizen_name``,
    ``citizen_phone``, ``citizen_address``, ``text`` for personal data inside the order's
    texts), through which page or endpoint (``via``) and for what purpose
    (``hotline.rules.masking.PURPOSES``).  Written by ``hotline.orders.privacy``; never
    changed."""

    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="personal_info_accesses"
    )
    user = models.ForeignKey(
        USER, verbose_name="查看人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField("角色", max_length=16, choices=taxonomy.ROLES.choices(), blank=True)
    at = models.DateTimeField("查看时间", db_index=True)
    via = models.CharField("途径", max_length=100)
    fields = models.JSONField("查看的个人信息", default=list, blank=True)
    purpose = models.CharField(
        "目的", max_length=16, choices=masking.PURPOSES.choices(), blank=True, db_index=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查看记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.order_id} {self.via}"

    @property
    def fields_label(self) -> str:
        return "、".join(FIELD_LABELS.get(f, f) for f in self.fields or [])


FIELD_LABELS = {
    "citizen_name": "姓名",
    "citizen_phone": "联系电话",
    "citizen_address": "联系地址",
    "text": "诉求文字中的个人信息",
}


class RetentionRun(models.Model):
    """One run of the retention purge (``hotline privacy purge``, the monthly task): the
    personal data of orders finished more than ``HOTLINE_RETENTION_YEARS`` ago is
    anonymised, the statistics stay.  Every run is recorded, dry runs too."""

    started_at = models.DateTimeField("开始时间", db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    cutoff = models.DateTimeField("截止时间")
    years = models.PositiveSmallIntegerField("保存年限")
    dry_run = models.BooleanField("演练", default=False)
    orders = models.PositiveIntegerField("匿名化工单数", default=0)
    trigger = models.CharField("触发方式", max_length=16, default="command")
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息保存期限清理记录"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.orders}"


class EventRedactionPermit(models.Model):
    """Present only inside the retention purge's transaction: while a row exists, the
    database lets the timeline's ``note`` and ``data`` be rewritten (nothing else of an
    event, ever).  Other transactions never see it (migration ``0005_i14_privacy``)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "轨迹匿名化许可"
