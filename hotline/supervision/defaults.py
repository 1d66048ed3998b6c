"""The built-in supervision ladders, used until the administrator edits ``LadderStep`` rows
(the data migration seeds the same rungs so the admin starts from them).

General orders (§6.5), waits in working-day time: smart supervision by the system, then
phone supervision by a supervisor — the handlers first, then the unit's 分管领导, then its
单位负责人 (§6.5 b) — then SMS supervision of the department and its leaders, sent by the
system (§6.5 c), and finally the other forms (§6.5 d), which only people can take.

Emergency orders (§6.4.4), waits in clock time: the whole 2-hour feedback limit (§6.4.2)
leaves no room for days, so every rung is automatic and the last repeats every 30 minutes
until the unit replies, each time telling the emergency department.
"""

from __future__ import annotations

# (position, method, other_form, after_minutes, repeat_minutes, automatic, recipients,
#  channels, note)
GENERAL = [
    (1, "smart", "", 0, None, True, "handlers,supervisors", "system", "系统督办提醒承办单位"),
    (2, "phone", "", 240, None, False, "handlers,unit", "", "电话联系承办人员"),
    (3, "phone", "", 240, None, False, "leader", "", "电话联系分管领导"),
    (4, "phone", "", 240, None, False, "head", "", "电话联系单位负责人"),
    (5, "sms", "", 480, None, True, "unit,leader,head", "sms,system", "短信督办部门及领导"),
    (6, "other", "notification", 1440, None, False, "head", "", "通报约谈等其他形式"),
]
EMERGENCY = [
    (1, "smart", "", 0, None, True, "handlers,unit", "system,sms", "应急工单系统督办"),
    (2, "sms", "", 15, None, True, "leader,emergency,supervisors", "sms,system", "升级至分管领导"),
    (3, "sms", "", 15, 30, True, "head,emergency,supervisors", "sms,system", "升级至单位负责人"),
]
LADDERS = {"general": GENERAL, "emergency": EMERGENCY}


def rows() -> list[dict]:
    """The default rungs as ``LadderStep`` field values."""
    out = []
    for track, steps in LADDERS.items():
        for pos, method, form, after, repeat, auto, recipients, channels, note in steps:
            out.append(
                {
                    "track": track,
                    "position": pos,
                    "method": method,
                    "other_form": form,
                    "after_minutes": after,
                    "repeat_minutes": repeat,
                    "automatic": auto,
                    "recipients": recipients,
                    "channels": channels,
                    "note": note,
                }
            )
    return out
