"""``{% sweep_banner %}``: the red banner on the 督办员's board when the sweep has stopped
(``hotline.supervision.heartbeat``) — nothing when it runs."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html

from hotline import clock
from hotline.supervision import heartbeat

register = template.Library()


@register.simple_tag
def sweep_banner() -> str:
    beat = heartbeat.pulse(heartbeat.SWEEP, clock.now())
    if not beat.stale:
        return ""
    if beat.last is None:
        headline = "督办引擎未运行"
        detail = "尚无完成的扫描：超期预警、催办、督办和短信都不会发出。请检查后台任务进程（hotline run --role worker）。"
    else:
        headline = f"督办引擎已停止 {beat.stopped_minutes} 分钟"
        detail = (
            f"最近一次扫描完成于 {timezone.localtime(beat.last):%Y-%m-%d %H:%M}，此后超期预警、催办、督办和短信"
            "均未发出。请检查后台任务进程、任务队列（Redis）和数据库。"
        )
    return format_html(
        '<div class="alert alert-danger d-flex gap-2 align-items-start" role="alert" '
        'data-testid="sweep-stopped"><strong>{}</strong><span>{}</span></div>',
        headline,
        detail,
    )
