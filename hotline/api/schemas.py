"""Request and response shapes of the staff API (OpenAPI at ``/api/openapi.json``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from hotline.rules import limits

# Bounded text for parameters and fields (rules.limits): every string the API accepts has a
# maximum length, checked before a handler runs (422 naming the limit).
Code = Annotated[str, Field(max_length=64)]  # codes, ids, states, dates and months as text
Codes = Annotated[str, Field(max_length=limits.SHORT_TEXT)]  # comma-separated codes
Short = Annotated[str, Field(max_length=limits.SHORT_TEXT)]  # titles, names, keys
Note = Annotated[str, Field(max_length=limits.NOTE)]  # notes, reasons, summaries
Search = Annotated[str, Field(max_length=limits.SEARCH_QUERY)]  # a search box
# Paging: a negative or absurd offset is a 422, never a database error.
Offset = Annotated[int, Field(ge=0, le=10_000_000)]
Limit = Annotated[int, Field(ge=1, le=500)]


class ErrorOut(Schema):
    """Every error: a stable ``code``, a Chinese ``message``, field errors for 422 and the
    order's current ``state`` for 409."""

    code: str = Field(..., examples=["illegal_transition"])
    message: str = Field(..., examples=["工单当前状态为“已办结”，不能执行“派转”"])
    fields: dict[str, str] | None = None
    state: str | None = None
    state_label: str | None = None
    action: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=100, description="令牌用途，便于管理")


class UserOut(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    unit_id: int | None = None
    unit_name: str | None = None


class TokenOut(Schema):
    token: str = Field(..., description="Bearer 令牌，只显示这一次")
    expires_at: datetime = Field(..., description="到期时间；修改密码或停用账号后立即失效")
    user: UserOut


class Labelled(Schema):
    code: str
    label: str


class UnitRef(Schema):
    id: int
    code: str
    name: str


class OrderIn(Schema):
    """The electronic work order (§6.1).  ``category``, ``title``, ``address`` and
    ``content`` are required to accept (§6.1.5); ``category`` is a category code or id."""

    channel: str = Field("phone", max_length=16, description="诉求来源 §6.1.3")
    appeal_type: str = Field("", max_length=16, description="诉求类型 §5.4.1")
    category: str | None = Field(None, max_length=64, description="诉求分类编码 §5.4.2")
    title: str = Field("", max_length=200, description="诉求问题")
    content: str = Field("", max_length=20000, description="诉求内容")
    address: str = Field("", max_length=500, description="发生地址")
    area: str | None = Field(None, max_length=64, description="行政区划编码")
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=20)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=20)
    component_type: str = Field("", max_length=32)
    event_time: str = Field("", max_length=100)
    people: str = Field("", max_length=200)
    cause: str = Field("", max_length=5000)
    course: str = Field("", max_length=5000)
    demand: str = Field("", max_length=5000)
    citizen_name: str = Field("", max_length=50)
    citizen_phone: str = Field("", max_length=30)
    citizen_address: str = Field("", max_length=300)
    display_mode: Literal["public", "confidential"] = "public"
    urgency: Literal["normal", "urgent", "very_urgent"] = "normal"
    emergency_kind: str = Field("", max_length=32, description="应急类型 §6.4.4 a–d，空为一般工单")


class OrderPatch(Schema):
    channel: str | None = Field(None, max_length=16)
    appeal_type: str | None = Field(None, max_length=16)
    category: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=200)
    content: str | None = Field(None, max_length=20000)
    address: str | None = Field(None, max_length=500)
    area: str | None = Field(None, max_length=64)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=20)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=20)
    component_type: str | None = Field(None, max_length=32)
    event_time: str | None = Field(None, max_length=100)
    people: str | None = Field(None, max_length=200)
    cause: str | None = Field(None, max_length=5000)
    course: str | None = Field(None, max_length=5000)
    demand: str | None = Field(None, max_length=5000)
    citizen_name: str | None = Field(None, max_length=50)
    citizen_phone: str | None = Field(None, max_length=30)
    citizen_address: str | None = Field(None, max_length=300)
    display_mode: Literal["public", "confidential"] | None = None
    urgency: Literal["normal", "urgent", "very_urgent"] | None = None
    emergency_kind: str | None = Field(None, max_length=32)


class RejectIn(Schema):
    reason: str = Field(..., max_length=32, description="§5.3 a–g 原因编码")
    note: str = Field("", max_length=2000)
    emergency_line: str = Field("", max_length=8, description="§5.3 d：110/119/120/122")


class RecordRejectedIn(OrderIn):
    reason: str = Field(..., max_length=32, description="§5.3 a–g 原因编码")
    note: str = Field("", max_length=2000)
    emergency_line: str = Field("", max_length=8)


class AnswerIn(Schema):
    answer: str = Field(..., max_length=10000, description="直办答复内容")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class DispatchIn(Schema):
    lead_unit: int = Field(..., description="主办单位 id")
    co_units: list[int] = Field(default_factory=list, max_length=20, description="协办单位 id")
    note: str = Field("", max_length=2000)


class DaysIn(Schema):
    days: int = Field(..., ge=1, le=366)
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)


class ReplyIn(Schema):
    """§6.4.3 a–d — all four are required."""

    handling_situation: str = Field(..., max_length=10000, description="a) 承办单位办理情况")
    citizen_contact: str = Field(..., max_length=10000, description="b) 联系服务对象情况")
    investigation: str = Field(..., max_length=10000, description="c) 调查核实过程和结果")
    opinion: str = Field(..., max_length=10000, description="d) 处理意见、处理时限、法定依据")
    public_note: str = Field("", max_length=5000, description="可向服务对象公开的答复")


class NoFurtherIn(Schema):
    reason: str = Field(..., max_length=32, description="§6.6.3 a–d")
    explanation: str = Field("", max_length=10000, description="正式书面说明（或先上传说明文件）")
    public_note: str = Field("", max_length=5000)


class ReminderIn(Schema):
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=40)
    result: str = Field("", max_length=2000)
    answered: bool = False


class SupervisionIn(Schema):
    """One supervision step (§6.5 a–d) on an overdue order — the same step whichever
    endpoint takes it (``supervision.actions.do_supervise``)."""

    method: str = Field(
        "",
        max_length=16,
        description="smart/phone/sms/other (§6.5 a–d)；留空：采用系统建议的下一步",
    )
    other_form: str = Field("", max_length=32)
    target: str = Field("", max_length=100)
    content: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)
    effective: bool = False


class CallbackIn(Schema):
    method: str = Field(..., max_length=16, description="phone/sms/wechat/other (§6.8.2)")
    mode: str = Field("manual", max_length=8)
    outcome: str = Field("reached", max_length=16)
    satisfaction: str = Field("", max_length=24)
    resolution: str = Field("", max_length=16)
    note: str = Field("", max_length=2000)


class CitizenOut(Schema):
    name: str
    phone: str
    address: str
    masked: bool


class DeadlineOut(Schema):
    id: int
    kind: str
    label: str
    unit: str
    start_at: datetime
    due_at: datetime
    warn_at: datetime
    met_at: datetime | None
    superseded: bool
    state: str = Field(..., description="normal/warning/overdue/met/met_late/superseded")
    state_label: str
    remaining: str
    provisional: bool = Field(..., description="跨入未录入节假日的年份，暂按周末计算")
    explanation: str
    clause: str


class EventOut(Schema):
    id: int
    at: datetime
    actor: str
    actor_role: str
    unit: str | None
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str
    data: dict


class AssignmentOut(Schema):
    id: int
    unit: UnitRef
    role: str
    dispatched_at: datetime
    signed_at: datetime | None
    ended_at: datetime | None
    end_reason: str


class ReplyOut(Schema):
    id: int
    kind: str
    unit: str
    handling_situation: str
    citizen_contact: str
    investigation: str
    opinion: str
    no_further_reason: str
    explanation: str
    public_note: str
    replied_at: datetime
    verdict: str


class CallbackOut(Schema):
    id: int
    method: str
    mode: str
    outcome: str
    satisfaction: str
    resolution: str
    note: str
    at: datetime


class AttachmentOut(Schema):
    id: int
    kind: str
    purpose: str
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str


class RequestOut(Schema):
    id: int
    days: int
    reason: str
    decision: str
    requested_at: datetime
    decided_at: datetime | None


class OrderSummary(Schema):
    number: str
    state: Labelled
    channel: Labelled
    appeal_type: Labelled | None
    domain: Labelled | None
    category: Labelled | None
    title: str
    address: str
    urgency: Labelled
    emergency: bool
    emergency_kind: str
    lead_unit: UnitRef | None
    created_at: datetime
    accepted_at: datetime | None
    dispatched_at: datetime | None
    closed_at: datetime | None
    deadline_state: str = Field(
        ..., description="worst running deadline: overdue/warning/normal, or ''"
    )


class OrderOut(OrderSummary):
    access: Literal["full", "masked", "own_part"] = Field(
        ...,
        description=(
            "full：个人信息原样显示（已记录查看日志）；masked：保密工单，姓名电话脱敏、"
            "文字中的个人信息已遮盖；own_part：本单位已退单或被改派，只读显示本单位办理部分"
        ),
    )
    content: str
    area: UnitRef | None
    latitude: Decimal | None
    longitude: Decimal | None
    component_type: str
    event_time: str
    people: str
    cause: str
    course: str
    demand: str
    display_mode: str
    citizen: CitizenOut
    not_accepted_reason: str
    emergency_line: str
    rejection_note: str
    direct_answer: str
    reminder_count: int
    supervised_at: datetime | None
    reopen_count: int
    provisional: bool
    allowed_actions: list[str]
    deadlines: list[DeadlineOut]
    assignments: list[AssignmentOut]
    replies: list[ReplyOut]
    callbacks: list[CallbackOut]
    attachments: list[AttachmentOut]
    extension_requests: list[RequestOut]
    suspension_requests: list[RequestOut]
    timeline: list[EventOut]


class OrderPage(Schema):
    count: int = Field(
        description="匹配的工单数，最多数到 10000（有关键词时 1000；count_capped 为真时表示超过）"
    )
    count_capped: bool = False
    page: int
    page_size: int
    next: str | None = Field(None, description="下一页的游标（作为 after 参数传回）")
    results: list[OrderSummary]


class ListParams(Schema):
    state: str | None = Field(
        None, max_length=limits.SHORT_TEXT, description="状态，可逗号分隔多个"
    )
    unit: str | None = Field(None, max_length=64, description="主办单位 id 或编码（含下级单位）")
    domain: str | None = Field(None, max_length=64)
    urgency: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=64)
    emergency: bool | None = None
    deadline_state: Literal["normal", "warning", "overdue"] | None = None
    date_from: date | None = None
    date_to: date | None = None
    phone: str | None = Field(None, max_length=30, description="来电号码：该服务对象的历史工单")
    q: str | None = Field(
        None, max_length=limits.SEARCH_QUERY, description="编号、标题、内容或地址"
    )
    sort: Literal["date", "relevance"] = Field(
        "date", description="date：最新在前；relevance：有关键词时按相关度（最新的 2000 条匹配中）"
    )
    after: str | None = Field(
        None, max_length=64, description="游标：上一页返回的 next，按时间翻页不受页数影响"
    )
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    domain: str
    parent_id: int | None


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    areas: list[str]
    active: bool


class CalendarDayOut(Schema):
    date: date
    kind: str
    name: str


class CalendarYearOut(Schema):
    year: int
    known: bool
    days: list[CalendarDayOut]


class HealthOut(Schema):
    status: str
    database: str
    demo_data: bool
