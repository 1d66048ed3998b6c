from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.6667 → "66.7%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{100 * float(value):.1f}%"


@register.filter
def score(value) -> str:
    return "—" if value is None else f"{value:.1f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def safe_json(value) -> str:
    """JSON for an HTML attribute value in single quotes."""
    import json

    from django.utils.html import escape

    return escape(json.dumps(value, ensure_ascii=False))
