"""Forms of the workbench and the portal.  They parse and render; the rules live in the
actions, whose ``ValidationFailed.fields`` are put back beside the inputs by ``show_errors``."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from hotline.orders.errors import ActionError
from hotline.orders.models import Attachment
from hotline.rules import limits, screening, taxonomy
from hotline.rules.deadlines import MAX_EXTENSION_WORKING_DAYS, MAX_HANG_UP_NATURAL_DAYS
from hotline.web import queries as wq


def _blank(vocab, label: str = "请选择") -> list[tuple[str, str]]:
    return [("", f"— {label} —"), *vocab.choices()]


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html`` in Python: ``True`` as the bare name, ``False`` left out."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """``forms.Select`` writing the same HTML in Python: Django renders every option through
    two templates (the option and its attributes), ~25 µs each — 3 ms of the 工单查询 page
    for its ~120 units and states.  ``test_forms.py`` compares the two outputs."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        out = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
        for group_name, group_choices, _ in widget["optgroups"]:
            if group_name:
                out.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                out.append(format_html('\n  <option value="{}"', str(option["value"])))
                out.append(_attrs(option["attrs"]))
                out.append(format_html(">{}</option>\n", option["label"]))
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # every part above is escaped by format_html


class WorkbenchForm(forms.Form):
    """Bootstrap classes on every widget, ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            w = field.widget
            if type(w) is forms.Select:
                quick = QuickSelect(attrs=w.attrs, choices=w.choices)
                quick.is_required, quick.is_localized = w.is_required, w.is_localized
                field.widget = w = quick
            if isinstance(w, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(w, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            w.attrs["class"] = (w.attrs.get("class", "") + " " + css).strip()
            w.attrs.setdefault("id", f"id_{self.prefix + '-' if self.prefix else ''}{name}")

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] += " is-invalid"
                w.attrs["aria-invalid"] = "true"

    def show_errors(self, exc: ActionError, aliases: dict[str, str] | None = None) -> None:
        """Put an action's field errors beside the matching inputs (others on top)."""
        aliases = aliases or {}
        for name, message in exc.fields.items():
            name = aliases.get(name, name)
            self.add_error(name if name in self.fields else None, message)
        if not exc.fields and exc.message:
            self.add_error(None, exc.message)
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] += " is-invalid"
                w.attrs["aria-invalid"] = "true"


# ---------------------------------------------------------------------------
# intake (§6.1)

TEXT = forms.Textarea


def _max(field: str, *, portal: bool = False) -> int:
    """The bound of an order text field (``rules.limits``), on the portal or elsewhere."""
    row = limits.ORDER_TEXT_BY_FIELD[field]
    return row.portal if portal else row.everywhere


class IntakeForm(WorkbenchForm):
    """The electronic work order of §6.1, in the order an agent fills it during a call:
    the caller first (the phone number looks up earlier orders), then the classification,
    the §6.1.5 required fields and the §6.1.6 elements."""

    citizen_phone = forms.CharField(label="联系电话", required=False, max_length=30)
    citizen_name = forms.CharField(label="姓名", required=False, max_length=50)
    citizen_address = forms.CharField(
        label="联系地址", required=False, max_length=_max("citizen_address")
    )
    display_mode = forms.ChoiceField(
        label="个人信息显示方式",
        choices=taxonomy.DISPLAY_MODES.choices(),
        initial="public",
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label="诉求来源", choices=taxonomy.CHANNELS.choices(), initial="phone"
    )
    appeal_type = forms.ChoiceField(
        label="诉求类型", choices=_blank(taxonomy.APPEAL_TYPES), required=False
    )
    category = forms.ChoiceField(label="诉求分类", required=False)
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=taxonomy.URGENCY.choices(),
        initial="normal",
        widget=forms.RadioSelect,
    )
    emergency_kind = forms.ChoiceField(
        label="应急类型（§6.4.4）",
        choices=[("", "— 非应急 —"), *screening.EMERGENCY_KINDS.choices()],
        required=False,
    )
    title = forms.CharField(label="诉求问题", required=False, max_length=_max("title"))
    content = forms.CharField(
        label="诉求内容", required=False, max_length=_max("content"), widget=TEXT(attrs={"rows": 4})
    )
    event_time = forms.CharField(label="时间", required=False, max_length=100)
    people = forms.CharField(label="人物", required=False, max_length=200)
    cause = forms.CharField(
        label="事件起因", required=False, max_length=_max("cause"), widget=TEXT(attrs={"rows": 2})
    )
    course = forms.CharField(
        label="经过", required=False, max_length=_max("course"), widget=TEXT(attrs={"rows": 2})
    )
    demand = forms.CharField(
        label="诉求", required=False, max_length=_max("demand"), widget=TEXT(attrs={"rows": 2})
    )
    address = forms.CharField(label="发生地址", required=False, max_length=_max("address"))
    area = forms.ChoiceField(label="所属区域", required=False)
    component_type = forms.ChoiceField(
        label="部件类型", choices=_blank(taxonomy.COMPONENT_TYPES, "无"), required=False
    )
    latitude = forms.CharField(label="纬度", required=False, max_length=20)
    longitude = forms.CharField(label="经度", required=False, max_length=20)

    REQUIRED = screening.REQUIRED_ORDER_FIELDS  # §6.1.5, marked in the form

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", "— 请选择诉求分类 —"),
            *[(d, [(c.code, c.name) for c in cats]) for d, cats in wq.categories_by_domain()],
        ]
        self.fields["area"].choices = [("", "— 请选择 —"), *wq.areas_indented()]
        for name in self.REQUIRED:
            self.fields[name].widget.attrs["aria-required"] = "true"
        self.fields["citizen_phone"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "tel", "autofocus": True}
        )

    def values(self) -> dict:
        """The cleaned §6.1 fields as the actions take them."""
        return {k: v for k, v in self.cleaned_data.items() if k in ORDER_FIELD_NAMES}


ORDER_FIELD_NAMES = set(IntakeForm.base_fields)


class RejectForm(WorkbenchForm):
    """§5.3 a–g: why the appeal is not accepted; §5.3 d names the emergency line."""

    reason = forms.ChoiceField(
        label="不予受理原因", choices=_blank(screening.NOT_ACCEPTED_REASONS), required=False
    )
    emergency_line = forms.ChoiceField(
        label="应转接的紧急热线",
        choices=[("", "— 不涉及 —"), *screening.EMERGENCY_LINES.choices()],
        required=False,
    )
    note = forms.CharField(
        label="说明", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )


class DirectForm(WorkbenchForm):
    """§6.7.1 direct handling: the answer given on the call."""

    answer = forms.CharField(
        label="直办答复",
        required=False,
        max_length=limits.REPLY_PART,
        widget=TEXT(attrs={"rows": 3}),
    )
    knowledge_entry = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


# ---------------------------------------------------------------------------
# order actions (one small form per action)


class NoteForm(WorkbenchForm):
    note = forms.CharField(
        label="意见", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )


class RequiredNoteForm(WorkbenchForm):
    note = forms.CharField(label="备注内容", max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2}))


class ReasonForm(WorkbenchForm):
    reason = forms.CharField(label="理由", max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2}))


class EmptyForm(WorkbenchForm):
    pass


class DispatchForm(WorkbenchForm):
    """§6.3: one lead unit (主办) and optional co-units (协办)."""

    lead_unit = forms.IntegerField(label="主办单位", widget=forms.HiddenInput, required=False)
    co_units = forms.CharField(
        label="协办单位", widget=forms.HiddenInput, required=False, max_length=limits.SHORT_TEXT
    )
    note = forms.CharField(
        label="派转意见", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )

    def clean_co_units(self) -> list[int]:
        raw = (
            self.data.getlist(self.add_prefix("co_units")) if hasattr(self.data, "getlist") else []
        )
        out = []
        for v in raw:
            for part in str(v).split(","):
                if part.strip().isdigit():
                    out.append(int(part))
        return out

    def clean_lead_unit(self):
        v = self.cleaned_data.get("lead_unit")
        if not v:
            raise forms.ValidationError("请选择主办单位（§6.3）")
        return v


class DaysReasonForm(WorkbenchForm):
    days = forms.IntegerField(label="天数", min_value=1, max_value=366)
    reason = forms.CharField(label="理由", max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2}))


class ExtensionForm(DaysReasonForm):
    """§6.4.1: at most 5 working days."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].label = f"延期工作日数（≤{MAX_EXTENSION_WORKING_DAYS}）"
        self.fields["days"].max_value = MAX_EXTENSION_WORKING_DAYS
        self.fields["days"].widget.attrs["max"] = MAX_EXTENSION_WORKING_DAYS
        self.fields["reason"].label = "延期理由"


class SuspensionForm(DaysReasonForm):
    """§6.4.1: hang-up for matters with a statutory time limit, at most 90 natural days."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].label = f"挂单自然日数（≤{MAX_HANG_UP_NATURAL_DAYS}）"
        self.fields["days"].widget.attrs["max"] = MAX_HANG_UP_NATURAL_DAYS
        self.fields["reason"].label = "挂单理由及法定办理时限依据"


class ReplyForm(WorkbenchForm):
    """§6.4.3 a–d: all four parts are required; ``public_note`` is what the citizen reads."""

    handling_situation = forms.CharField(
        label="a) 承办单位办理情况",
        required=False,
        max_length=limits.REPLY_PART,
        widget=TEXT(attrs={"rows": 2}),
    )
    citizen_contact = forms.CharField(
        label="b) 联系服务对象情况",
        required=False,
        max_length=limits.REPLY_PART,
        widget=TEXT(attrs={"rows": 2}),
    )
    investigation = forms.CharField(
        label="c) 调查核实过程和结果",
        required=False,
        max_length=limits.REPLY_PART,
        widget=TEXT(attrs={"rows": 2}),
    )
    opinion = forms.CharField(
        label="d) 处理意见、处理时限、法定依据",
        required=False,
        max_length=limits.REPLY_PART,
        widget=TEXT(attrs={"rows": 2}),
    )
    public_note = forms.CharField(
        label="公开答复（市民可在门户查看，留空则用办理情况）",
        required=False,
        max_length=limits.PUBLIC_REPLY,
        widget=TEXT(attrs={"rows": 2}),
    )


class NoFurtherForm(WorkbenchForm):
    """§6.6.3 a–d with the formal written explanation (text or an uploaded document)."""

    reason = forms.ChoiceField(
        label="不再办理情形", choices=_blank(screening.NO_FURTHER_HANDLING_REASONS), required=False
    )
    explanation = forms.CharField(
        label="书面说明",
        required=False,
        max_length=limits.REPLY_PART,
        widget=TEXT(attrs={"rows": 3}),
    )
    document = forms.FileField(label="上传书面说明文件", required=False)
    public_note = forms.CharField(
        label="公开答复",
        required=False,
        max_length=limits.PUBLIC_REPLY,
        widget=TEXT(attrs={"rows": 2}),
    )


class ReminderForm(WorkbenchForm):
    """§6.5 电话催办."""

    contact_name = forms.CharField(label="联系对象", required=False, max_length=50)
    contact_phone = forms.CharField(label="联系电话", required=False, max_length=40)
    result = forms.CharField(
        label="催办结果", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )
    answered = forms.BooleanField(label="单位已回复处理结果", required=False)


class SuperviseForm(WorkbenchForm):
    """§6.5 a–d: one supervision step."""

    method = forms.ChoiceField(
        label="督办方式", choices=_blank(taxonomy.SUPERVISION_METHODS), required=False
    )
    other_form = forms.ChoiceField(
        label="其他形式（§6.5 d）",
        choices=_blank(taxonomy.OTHER_SUPERVISION_FORMS, "仅其他形式督办时选择"),
        required=False,
    )
    target = forms.CharField(label="督办对象", required=False, max_length=100)
    content = forms.CharField(
        label="督办内容", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )
    result = forms.CharField(
        label="督办结果", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )
    effective = forms.BooleanField(label="已见成效", required=False)


class CallbackForm(WorkbenchForm):
    """§6.8.2 method, §6.8.3 satisfaction and resolution.  A person's record is a manual
    callback; smart ones are recorded by the survey itself (``hotline.callbacks``)."""

    method = forms.ChoiceField(label="回访方式", choices=taxonomy.CALLBACK_METHODS.choices())
    outcome = forms.ChoiceField(label="回访结果", choices=taxonomy.CALLBACK_OUTCOMES.choices())
    satisfaction = forms.ChoiceField(
        label="满意程度", choices=_blank(taxonomy.SATISFACTION), required=False
    )
    resolution = forms.ChoiceField(
        label="解决程度", choices=_blank(taxonomy.RESOLUTION), required=False
    )
    note = forms.CharField(
        label="回访记录", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )


class AttachForm(WorkbenchForm):
    file = forms.FileField(label="文件（语音、图片、视频或文字材料）")
    purpose = forms.ChoiceField(label="用途", choices=Attachment.PURPOSES, initial="other")


class ReplyAttachForm(WorkbenchForm):
    file = forms.FileField(label="答复材料（可选）", required=False)


# ---------------------------------------------------------------------------
# lists


class FilterForm(WorkbenchForm):
    """The list filters of ``hotline.orders.queries.filter_orders``."""

    q = forms.CharField(label="关键词", required=False, max_length=limits.SEARCH_QUERY)
    # the caller's earlier orders; a unit never finds a confidential citizen by phone
    # (``privacy.citizen_search``)
    phone = forms.CharField(label="来电号码", required=False, max_length=30)
    state = forms.ChoiceField(label="状态", required=False)
    unit = forms.ChoiceField(label="承办单位", required=False)
    domain = forms.ChoiceField(
        label="归口分类", choices=_blank(taxonomy.DOMAINS, "全部"), required=False
    )
    urgency = forms.ChoiceField(
        label="紧急程度", choices=_blank(taxonomy.URGENCY, "全部"), required=False
    )
    channel = forms.ChoiceField(
        label="来源", choices=_blank(taxonomy.CHANNELS, "全部"), required=False
    )
    deadline_state = forms.ChoiceField(
        label="时限",
        choices=[
            ("", "— 全部 —"),
            ("normal", "正常"),
            ("warning", "即将超期"),
            ("overdue", "已超期"),
        ],
        required=False,
    )
    date_from = forms.DateField(
        label="登记自", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    emergency = forms.BooleanField(label="仅应急", required=False)

    def __init__(self, *args, units=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from hotline.rules import lifecycle

        self.fields["state"].choices = [("", "— 全部 —"), *lifecycle.STATES.choices()]
        self.fields["unit"].choices = [("", "— 全部 —"), *[(u.code, u.name) for u in units]]
        self.fields["q"].widget.attrs.update(
            {"placeholder": "工单编号、标题、内容或地址", "data-hotkey-focus": "/"}
        )

    def params(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


# ---------------------------------------------------------------------------
# portal


class PortalForm(WorkbenchForm):
    """A citizen's appeal through the web portal (§5.1): it becomes a draft (待受理) that an
    agent checks and accepts."""

    title = forms.CharField(label="诉求标题", max_length=_max("title", portal=True))
    content = forms.CharField(
        label="诉求内容",
        max_length=_max("content", portal=True),
        widget=TEXT(attrs={"rows": 5}),
        help_text=f"不超过 {_max('content', portal=True):,} 字",
    )
    address = forms.CharField(label="发生地址", max_length=_max("address", portal=True))
    appeal_type = forms.ChoiceField(
        label="诉求类型", choices=_blank(taxonomy.APPEAL_TYPES), required=False
    )
    citizen_name = forms.CharField(label="您的姓名", max_length=50)
    citizen_phone = forms.CharField(label="手机号码", max_length=30)
    display_mode = forms.ChoiceField(
        label="个人信息显示方式",
        choices=taxonomy.DISPLAY_MODES.choices(),
        initial="public",
        widget=forms.RadioSelect,
        help_text="选择“保密”时，承办单位只看到脱敏后的姓名和电话。",
    )
    # PIPL Art. 14, 17: the citizen is told what is collected, why and for how long (the
    # notice on the page) and agrees before anything is submitted.
    consent = forms.BooleanField(
        label="我已阅读并同意上方的《个人信息保护说明》",
        error_messages={"required": "请阅读个人信息保护说明，勾选同意后再提交"},
    )


class TrackForm(WorkbenchForm):
    number = forms.CharField(label="工单编号", max_length=20)
    phone = forms.CharField(label="提交时填写的手机号码", max_length=30)


class DuplicateForm(WorkbenchForm):
    """The link / merge panels of the order detail page (§6.6.3 c)."""

    main = forms.CharField(label="主工单编号", max_length=20)
    reason = forms.CharField(
        label="说明", required=False, max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )


class UnmergeForm(WorkbenchForm):
    reason = forms.CharField(
        label="取消并单理由", max_length=limits.NOTE, widget=TEXT(attrs={"rows": 2})
    )


# ---------------------------------------------------------------------------
# the citizen's answers (§6.8.2): the one-time survey page, the rating on the tracking page


class SurveyForm(WorkbenchForm):
    """Three large buttons post ``satisfaction``; resolution and a comment go with them."""

    satisfaction = forms.ChoiceField(
        label="您对办理结果是否满意", choices=taxonomy.SATISFACTION.choices()
    )
    resolution = forms.ChoiceField(
        label="问题是否已解决",
        choices=taxonomy.RESOLUTION.choices(),
        widget=forms.RadioSelect,
        error_messages={"required": "请选择问题是否已解决"},
    )
    comment = forms.CharField(
        label="意见（可选）", required=False, max_length=500, widget=TEXT(attrs={"rows": 3})
    )


class RatingForm(WorkbenchForm):
    """The citizen's own rating on the tracking page: 已解决 / 未解决 + comment."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=400)
    resolution = forms.ChoiceField(
        label="问题是否已解决",
        choices=taxonomy.RESOLUTION.choices(),
        error_messages={"required": "请选择问题是否已解决"},
    )
    comment = forms.CharField(
        label="意见（可选）", required=False, max_length=500, widget=TEXT(attrs={"rows": 2})
    )
