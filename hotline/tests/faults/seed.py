"""Run inside the fault suite's stack (``python seed.py N``, the stack's environment):
a unit with phones on file, a 受理员 and a 审核员, and N orders dispatched to the unit ten
days ago — every one overdue, so the next sweep owes each unit and person notices and SMS.
Prints the order numbers as JSON."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
django.setup()

from hotline import clock  # noqa: E402
from hotline.orders import actions  # noqa: E402
from hotline.org.models import Area, Unit, User  # noqa: E402

count = int(sys.argv[1])
city, _ = Area.objects.get_or_create(code="f-city", defaults={"name": "乌海市", "level": "city"})
district, _ = Area.objects.get_or_create(
    code="f-hbw", defaults={"name": "海勃湾区", "level": "district", "parent": city}
)
centre, _ = Unit.objects.get_or_create(
    code="f-centre", defaults={"name": "12345热线中心", "kind": "centre"}
)
unit, _ = Unit.objects.get_or_create(
    code="f-zjj",
    defaults={
        "name": "海勃湾区住房和城乡建设局",
        "kind": "department",
        "phone": "0473-3100001",
        "contact_name": "李联络",
        "leader_name": "周副局长",
        "leader_phone": "13900000002",
        "head_name": "吴局长",
        "head_phone": "13900000003",
    },
)
unit.areas.add(district)
people = {}
for username, role, where in (
    ("f_agent", "agent", centre),
    ("f_reviewer", "reviewer", centre),
    ("f_clerk", "unit", unit),
):
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "unit": where, "phone": "13900000001"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    people[role] = user

at = clock.now() - timedelta(days=10)
numbers = []
for i in range(count):
    order = actions.do_create_order(
        people["agent"],
        {
            "channel": "phone",
            "appeal_type": "help",
            "category": "housing_maintenance",
            "title": f"故障测试 {i} 楼顶漏水",
            "content": "康乐小区3号楼顶楼防水层老化，一下雨就往屋里漏水。",
            "address": "海勃湾区新华街道康乐小区3号楼",
            "area": "f-hbw",
            "citizen_name": "王建军",
            "citizen_phone": "13812345678",
            "display_mode": "public",
            "urgency": "normal",
        },
        now=at,
    )
    actions.do_submit(order, people["agent"], now=at)
    actions.do_dispatch(order, people["reviewer"], lead_unit=unit, now=at)
    numbers.append(order.number)
print(json.dumps(numbers))
