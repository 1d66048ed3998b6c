"""Badges and form fields that look the same on every page: the colour lives with the term
(``hotline.rules`` vocabularies), the markup lives here."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from hotline.callbacks.choices import INBOUND_OUTCOMES, SURVEY_STATES
from hotline.rules import callback as callback_rules
from hotline.rules import deadlines as dl
from hotline.rules import lifecycle, screening, taxonomy
from hotline.web import once

register = template.Library()

VOCABS = {
    "state": lifecycle.STATES,
    "urgency": taxonomy.URGENCY,
    "channel": taxonomy.CHANNELS,
    "appeal_type": taxonomy.APPEAL_TYPES,
    "domain": taxonomy.DOMAINS,
    "deadline": dl.DEADLINE_STATES,
    "satisfaction": taxonomy.SATISFACTION,
    "resolution": taxonomy.RESOLUTION,
    "callback_method": taxonomy.CALLBACK_METHODS,
    "callback_mode": taxonomy.CALLBACK_MODES,
    "callback_outcome": taxonomy.CALLBACK_OUTCOMES,
    "supervision_method": taxonomy.SUPERVISION_METHODS,
    "other_supervision_form": taxonomy.OTHER_SUPERVISION_FORMS,
    "emergency_kind": screening.EMERGENCY_KINDS,
    "emergency_line": screening.EMERGENCY_LINES,
    "not_accepted": screening.NOT_ACCEPTED_REASONS,
    "no_further": screening.NO_FURTHER_HANDLING_REASONS,
    "component_type": taxonomy.COMPONENT_TYPES,
    "display_mode": taxonomy.DISPLAY_MODES,
    "role": taxonomy.ROLES,
    "action": lifecycle.ACTIONS,
    "survey_state": SURVEY_STATES,
    "inbound_outcome": INBOUND_OUTCOMES,
    "escalation_reason": callback_rules.ESCALATION_REASONS,
    "survey_source": callback_rules.SOURCES,
}

TEXT_ON = {"warning", "light", "info"}


@register.filter
def label(code: str, vocab: str) -> str:
    """``{{ order.channel|label:"channel" }}`` → 热线电话."""
    return VOCABS[vocab].label(code) if code else ""


# Timeline steps the core's ``Event.action_label`` leaves as codes.
EVENT_LABELS = {
    "submit_draft": "渠道提交",
    "enter_supervision": "转入督办",
}


@register.filter
def seen(text: str, view) -> str:
    """``{{ order.content|seen:view }}``: a free text as the viewer may read it — personal
    data masked unless the masking policy shows them the citizen (``privacy.OrderView``)."""
    return view.text(text) if view is not None else text


@register.filter
def event_label(event) -> str:
    return EVENT_LABELS.get(event.action) or event.action_label


@register.filter
def role_label(code: str) -> str:
    """The Chinese name of an actor's role; the background worker is 系统."""
    if code in ("", "system"):
        return "系统"
    return taxonomy.ROLES.label(code)


@register.simple_tag
def form_token():
    """The hidden one-time token of a state-changing form (``hotline.web.once``): fresh each
    time the page is drawn, spent when the form's action commits."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token())


@register.simple_tag
def badge(vocab: str, code: str, text: str = ""):
    """A coloured badge for a code of a vocabulary (colour from the term)."""
    if not code:
        return ""
    v = VOCABS[vocab]
    colour = v.colour(code) or "secondary"
    fg = " text-dark" if colour in TEXT_ON else ""
    return format_html(
        '<span class="badge wb-badge text-bg-{}{}" data-code="{}">{}</span>',
        colour,
        fg,
        code,
        text or v.label(code),
    )


@register.simple_tag
def light(state: str, title: str = ""):
    """The deadline light of a list row: green / yellow / red, with words for screen readers."""
    if not state:
        return mark_safe('<span class="text-muted">—</span>')
    return format_html(
        '<span class="wb-light wb-light-{}" title="{}"><span class="wb-dot" aria-hidden="true"></span>{}</span>',
        state,
        title,
        dl.DEADLINE_STATES.label(state),
    )


@register.filter
def due(value) -> str:
    """``{{ row.due_at|due }}`` → "12-07 24:00": a due time, midnight read as the end of
    the day before (``deadlines.due_text``)."""
    return dl.due_text(value) if value else ""


@register.filter
def due_year(value) -> str:
    """``{{ d.due_at|due_year }}`` → "2026-12-07 24:00"."""
    return dl.due_text(value, year=True) if value else ""


@register.filter
def time_left(row, now) -> str:
    """``{{ row|time_left:now }}`` → "剩余 1天3小时" / "超期 2天": the running deadline of a
    list row, working-day limits counted in working time on the centre's calendar."""
    if not getattr(row, "due_at", None) or now is None:
        return ""
    from hotline.calendars.services import working_calendar

    return dl.remaining_text(row.due_at, now, basis=row.basis, cal=working_calendar())


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str = ""):
    """A sortable column header: a link that sorts by ``key`` (``web.sorting.SORTS``),
    again for the reverse order; plain text on a list without ``sort_base``."""
    from hotline.web.sorting import SORTS

    label = label or SORTS[key][0]
    base = context.get("sort_base")
    if base is None:
        return format_html('<th scope="col">{}</th>', label)
    current = context.get("sort") or ""
    if current == key:
        target, aria, arrow = f"-{key}", "ascending", " ▲"
    elif current == f"-{key}":
        target, aria, arrow = key, "descending", " ▼"
    else:
        target, aria, arrow = key, "", ""
    form = context.get("sort_form")
    if form:
        # 工单查询: a submit button of the filter form, so the filters travel in the form
        # and never in a link's address (a phone number typed as a filter stays in the form)
        control = format_html(
            '<button type="submit" class="btn btn-link p-0 wb-sort" form="{}" name="sort" '
            'value="{}" data-sort="{}">{}{}</button>',
            form,
            target,
            key,
            label,
            arrow,
        )
    else:
        href = "?" + (f"{base}&" if base else "") + f"sort={target}"
        control = format_html(
            '<a class="wb-sort" href="{}" data-sort="{}">{}{}</a>', href, key, label, arrow
        )
    if aria:
        return format_html('<th scope="col" aria-sort="{}">{}</th>', aria, control)
    return format_html('<th scope="col">{}</th>', control)


@register.inclusion_tag("web/_field.html")
def field(bound, cols: str = "", hint: str = "", required: bool = False):
    """A labelled input with its error and hint, linked for assistive technology."""
    return {"f": bound, "cols": cols, "hint": hint or bound.help_text, "required": required}


@register.filter
def filesize(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


LONG_TEXT_HEAD = 300


@register.filter
def long_text(value, head: int = LONG_TEXT_HEAD) -> SafeString:
    """Free text of any length kept readable: up to ``head`` characters shown, the rest
    behind 展开 (a ``<details>``: no script, works with the keyboard and a screen reader).
    Line breaks are kept (``.wb-long`` is ``pre-wrap``); the text is always escaped."""
    text = "" if value is None else str(value)
    if len(text) <= head:
        return format_html('<span class="wb-long">{}</span>', text)
    return format_html(
        '<span class="wb-long" data-long-text>{}<details><summary>…展开（共 {} 字）</summary>'
        "{}</details></span>",
        text[:head],
        f"{len(text):,}",
        text[head:],
    )
