"""Build the demo centre: areas, units, users, and a few hundred orders over the last 60
days in every state — all orders made through the same ``do_*`` actions people use, at
chosen instants, so their timelines and deadlines are real."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction

from hotline import clock
from hotline.catalog.models import Category
from hotline.channels import demo as channels_demo
from hotline.demo import appeals, centre
from hotline.intelligence import demo as intelligence_demo
from hotline.knowledge import demo as knowledge_demo
from hotline.orders import actions as act
from hotline.orders.errors import ActionError
from hotline.orders.guards import overdue_since
from hotline.orders.models import OrderSequence, WorkOrder
from hotline.org.models import ApiToken, Area, Unit, User
from hotline.rules.calendar import SHANGHAI
from hotline.supervision import actions as sup


@dataclass
class Cast:
    agent: User
    agent2: User
    reviewer: User
    supervisor: User
    callback: User


# Other apps' demo rows: ``reset_hooks`` run first in ``reset()`` (remove rows that protect
# units), ``extra_builders`` (``fn(now) -> orders made, or None``) run last in ``build()``
# (knowledge entries, routing rules and duplicate pairs, channel clients).  The demo is a
# composition root: it imports the apps, the apps never import it.
reset_hooks: list = [knowledge_demo.reset]
extra_builders: list = [knowledge_demo.build, intelligence_demo.build, channels_demo.build]


def reset() -> None:
    """Remove all orders and the demo organisation (users, units, areas)."""
    with transaction.atomic():
        for hook in reset_hooks:
            hook()
        WorkOrder.objects.all().delete()
        OrderSequence.objects.all().delete()
        ApiToken.objects.all().delete()
        User.objects.all().delete()
        for model in (Unit, Area):
            # delete leaves first: PROTECT forbids removing a parent before its children
            for node in model.objects.order_by("-path"):
                node.delete()


def build_organisation() -> None:
    city_code, city_name = centre.CITY
    city = Area.objects.create(code=city_code, name=city_name, level="city", aliases="乌海")
    streets: dict[str, Area] = {}
    districts: dict[str, Area] = {}
    for dcode, dname, alias, street_list in centre.DISTRICTS:
        d = Area.objects.create(
            code=dcode, name=dname, level="district", parent=city, aliases=alias
        )
        districts[dcode] = d
        for scode, sname, communities in street_list:
            s = Area.objects.create(code=scode, name=sname, level="street", parent=d)
            streets[scode] = s
            for i, cname in enumerate(communities, 1):
                Area.objects.create(code=f"{scode}-{i}", name=cname, level="community", parent=s)

    cats = {c.code: c for c in Category.objects.all()}

    def unit(code, name, kind, parent=None, areas=(), categories=(), components=(), **extra):
        u = Unit.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            component_types=list(components),
            phone=f"0473-{random.Random(code).randint(2000000, 3999999)}",
            contact_name="联络员",
            leader_name="分管领导",
            leader_phone=f"139{random.Random(code + 'l').randint(10000000, 99999999)}",
            head_name="单位负责人",
            head_phone=f"138{random.Random(code + 'h').randint(10000000, 99999999)}",
            **extra,
        )
        u.areas.set(areas)
        u.categories.set([cats[c] for c in categories if c in cats])
        return u

    unit("centre", "乌海市12345政务服务便民热线中心", "centre", areas=[city])
    gov = unit("wuhai-gov", "乌海市人民政府", "government", areas=[city])
    for code, name, kind, categories, components in centre.CITY_DEPARTMENTS:
        unit(code, name, kind, gov, [city], categories, components)
    for code, name, kind, categories, components in centre.ENTERPRISES:
        unit(code, name, kind, None, [city], categories, components)
    for dcode, dname, _alias, street_list in centre.DISTRICTS:
        dgov = unit(f"{dcode}-gov", f"{dname}人民政府", "government", gov, [districts[dcode]])
        for code, name, kind, categories, components in centre.DISTRICT_UNITS:
            unit(
                code.format(d=dcode),
                name.format(n=dname),
                kind,
                dgov,
                [districts[dcode]],
                categories,
                components,
            )
        for scode, sname, _c in street_list:
            s = streets[scode]
            unit(
                f"{scode}-office",
                f"{dname}{sname}{'办事处' if sname.endswith('街道') else '人民政府'}",
                "street",
                dgov,
                [s, *s.children.all()],
                ["fire_hazard", "city_appearance", "village_affairs", "elderly_care"],
            )

    # one password hash for every demo account: hashing is slow on purpose
    hasher_user = User(username="_")
    hasher_user.set_password(centre.PASSWORD)
    for username, family, given, role, unit_code in centre.USERS:
        u = User(
            username=username,
            last_name=family,
            first_name=given,
            role=role,
            unit=Unit.objects.filter(code=unit_code).first() if unit_code else None,
            is_staff=role == "admin",
            is_superuser=role == "admin",
        )
        u.password = hasher_user.password
        u.save()
    # one clerk for every handling unit: username = the unit's code
    clerks = [
        User(
            username=u.code,
            first_name=f"{u.short_name or u.name}办理员",
            role="unit",
            unit=u,
            password=hasher_user.password,
        )
        for u in Unit.objects.exclude(kind="centre")
    ]
    User.objects.bulk_create(clerks)


# ---------------------------------------------------------------------------


def _at(day: datetime, rng: random.Random) -> datetime:
    """A plausible time of a call on ``day`` (Shanghai): mostly 8:00–21:00."""
    hour = rng.choices(
        range(24),
        weights=[1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 12, 9, 10, 12, 12, 11, 10, 9, 8, 7, 5, 3, 2],
    )[0]
    local = datetime.combine(
        day.astimezone(SHANGHAI).date(),
        time(hour, rng.randint(0, 59), rng.randint(0, 59)),
        tzinfo=SHANGHAI,
    )
    return local


def _fill(text: str, place: dict[str, str], rng: random.Random) -> str:
    return text.format(n=rng.randint(1, 28), m=rng.randint(20, 200), **place)


def _place(rng: random.Random) -> tuple[dict[str, str], Area, Area]:
    street = rng.choice(list(Area.objects.filter(level="street")))
    community = rng.choice(list(street.children.all()))
    district = street.parent
    place = {
        "district": district.name,
        "street": street.name,
        "community": community.name,
        "estate": rng.choice(appeals.ESTATES),
        "road": rng.choice(appeals.ROADS),
    }
    return place, district, community


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(["138", "139", "150", "151", "177", "186", "189"])
        + f"{rng.randint(0, 99999999):08d}"
    )


def build_orders(
    count: int = 300, *, seed: int = 12345, now: datetime | None = None, days: int = 60
) -> int:
    """Create ``count`` orders spread over the last ``days`` days.  Returns how many."""
    now = now or clock.now()
    rng = random.Random(seed)
    cast = Cast(
        *(
            User.objects.get(username=n)
            for n in ("agent", "agent2", "reviewer", "supervisor", "callback")
        )
    )
    units = {u.code: u for u in Unit.objects.all()}
    clerks = {u.unit_id: u for u in User.objects.filter(role="unit").order_by("id")}
    cats = {c.code: c for c in Category.objects.all()}
    # a few repeat callers, so "earlier orders by phone number" has something to show
    regulars = [_phone(rng) for _ in range(12)]
    before = WorkOrder.objects.count()
    with transaction.atomic():
        for i in range(count):
            day = now - timedelta(days=rng.random() * days)
            t0 = _at(day, rng)
            if t0 >= now:
                t0 = now - timedelta(minutes=rng.randint(5, 90))
            story = Story(rng, now, cast, units, clerks, cats, regulars)
            try:
                story.play(t0, i)
            except ActionError as exc:  # a demo script error must be loud, not half-built
                raise RuntimeError(f"demo order {i}: {exc.message} {exc.fields}") from exc
    return WorkOrder.objects.count() - before


class Story:
    """One order's life, played through the actions up to ``now``."""

    def __init__(self, rng, now, cast: Cast, units, clerks, cats, regulars) -> None:
        self.rng, self.now, self.cast = rng, now, cast
        self.units, self.clerks, self.cats, self.regulars = units, clerks, cats, regulars

    def due(self, t: datetime) -> bool:
        return t <= self.now

    def play(self, t: datetime, i: int) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            return self.rejected(t)
        place, district, community = _place(rng)
        template = rng.choice(appeals.APPEALS)
        cat, atype, title, content, demand, component, urgency, emergency, unit_rule = template
        agent = rng.choice([self.cast.agent, self.cast.agent2])
        phone = rng.choice(self.regulars) if rng.random() < 0.15 else _phone(rng)
        values = {
            "channel": rng.choices(
                ["phone", "portal", "app", "miniprogram", "grid"], [70, 10, 10, 6, 4]
            )[0],
            "appeal_type": atype,
            "category": cat,
            "title": _fill(title, place, rng),
            "content": _fill(content, place, rng),
            "demand": _fill(demand, place, rng),
            "address": f"{place['district']}{place['street']}{place['community']}{place['estate'] if '{estate}' in content else place['road']}",
            "area": community.code,
            "component_type": component,
            "event_time": rng.choice(["今天上午", "昨天晚上", "近一周", "本月以来", "刚才"]),
            "citizen_name": rng.choice(appeals.NAMES),
            "citizen_phone": phone,
            "citizen_address": f"{place['district']}{place['street']}{place['estate']}",
            "display_mode": "confidential" if rng.random() < 0.25 else "public",
            "urgency": urgency,
            "emergency_kind": emergency,
        }
        if values["channel"] != "phone" and roll < 0.09 and self.now - t < timedelta(days=2):
            # a channel submission still waiting for an agent
            act.do_create_draft(values, now=t)
            return None
        order = act.do_create_order(agent, values, now=t)
        t += timedelta(minutes=rng.randint(3, 12))
        if atype == "consult" and cat in appeals.DIRECT_ANSWERS and rng.random() < 0.75:
            if self.due(t):
                act.do_direct_close(order, agent, answer=appeals.DIRECT_ANSWERS[cat], now=t)
            return None
        if not self.due(t) or rng.random() < 0.02:
            return None  # accepted, not yet submitted
        act.do_submit(order, agent, now=t)
        t += timedelta(minutes=rng.randint(10, 240))
        if rng.random() < 0.06:
            if not self.due(t):
                return None
            act.do_return_to_intake(
                order, self.cast.reviewer, reason="诉求地址不完整，请补充具体楼号和单元。", now=t
            )
            t += timedelta(minutes=rng.randint(20, 180))
            if not self.due(t) or rng.random() < 0.3:
                return None
            act.do_update(
                order, agent, {"address": order.address + f"{rng.randint(1, 20)}号楼"}, now=t
            )
            act.do_submit(order, agent, now=t + timedelta(minutes=1))
            t += timedelta(minutes=rng.randint(10, 120))
        unit = self.route(unit_rule, district, community)
        if rng.random() < 0.04:
            wrong = self.units["city-zwfw"]
            if not self.due(t):
                return None
            act.do_dispatch(order, self.cast.reviewer, lead_unit=wrong, note="请研究办理", now=t)
            t += timedelta(hours=rng.uniform(1, 8))
            if not self.due(t):
                return None
            act.do_unit_return(
                order,
                self.clerk(wrong),
                reason="该事项不属于本单位职责，建议派至属地或主管部门。",
                now=t,
            )
            t += timedelta(hours=rng.uniform(0.5, 4))
        if not self.due(t):
            return None
        co = []
        if rng.random() < 0.12 and unit.parent and unit.parent.kind == "government":
            # a street routed as lead unit is never its own co-unit
            streets = [u for u in unit.parent.children.filter(kind="street") if u != unit]
            if streets:
                co = [rng.choice(streets)]
        act.do_dispatch(
            order, self.cast.reviewer, lead_unit=unit, co_units=co, note="请按时限办理并答复", now=t
        )
        return self.handle(order, unit, co, t)

    def handle(self, order: WorkOrder, unit: Unit, co: list[Unit], t: datetime) -> None:
        rng = self.rng
        clerk = self.clerk(unit)
        emergency = order.is_emergency
        t += (
            timedelta(minutes=rng.randint(5, 25))
            if emergency
            else timedelta(hours=rng.uniform(0.3, 30))
        )
        slow = rng.random() < 0.15  # units that let it run late
        if not self.due(t) or rng.random() < 0.03:
            return None
        act.do_sign(order, clerk, now=t)
        for c in co:
            act.do_co_sign(order, self.clerk(c), now=t + timedelta(minutes=30))
        if rng.random() < 0.07:
            t += timedelta(days=rng.uniform(1, 3))
            if not self.due(t):
                return None
            act.do_request_extension(
                order,
                clerk,
                days=rng.choice([2, 3, 5]),
                reason="涉及多个部门，需现场联合勘查后确定整改方案。",
                now=t,
            )
            t += timedelta(hours=rng.uniform(1, 6))
            if not self.due(t) or rng.random() < 0.2:
                return None
            approve = rng.random() < 0.85
            note = "同意延期" if approve else "延期理由不充分，请按原时限办理"
            act.do_decide_extension(order, self.cast.reviewer, approve=approve, note=note, now=t)
        elif rng.random() < 0.03:
            t += timedelta(days=rng.uniform(0.5, 2))
            if not self.due(t):
                return None
            act.do_request_suspension(
                order,
                clerk,
                days=60,
                reason="该事项需履行行政处罚法定程序，法定办理期限六十日。",
                now=t,
            )
            t += timedelta(hours=rng.uniform(1, 6))
            if not self.due(t) or rng.random() < 0.3:
                return None
            act.do_decide_suspension(
                order, self.cast.reviewer, approve=True, note="同意挂单", now=t
            )
            t += timedelta(days=rng.uniform(10, 70))
            if not self.due(t):
                return None
            act.do_resume(order, clerk, note="处罚程序已完成，恢复办理。", now=t)
        hours = rng.uniform(0.5, 1.8) if emergency else rng.uniform(20, 110) * (2.2 if slow else 1)
        t_reply = t + timedelta(hours=hours)
        if slow:
            # supervisors phone the unit twice, then supervise (§6.5)
            feedback = order.deadlines.filter(
                kind__in=["feedback", "extension"], met_at__isnull=True, superseded_at__isnull=True
            ).first()
            if feedback and feedback.due_at < min(t_reply, self.now):
                tr = feedback.due_at + timedelta(hours=2)
                for _ in range(2):
                    if not self.due(tr) or order.state not in {"handling", "dispatched"}:
                        break
                    sup.do_remind(
                        order,
                        self.cast.supervisor,
                        contact_name="办理人员",
                        contact_phone=unit.phone,
                        result="电话已通知，答复尽快办理",
                        now=tr,
                    )
                    tr += timedelta(hours=rng.uniform(4, 20))
                if self.due(tr) and order.reminder_count >= 2 and overdue_since(order, tr):
                    sup.do_supervise(
                        order,
                        self.cast.supervisor,
                        method="phone",
                        target=f"{unit.name}分管领导",
                        content="超期未反馈，电话督办分管领导",
                        result="承诺两日内办结",
                        now=tr,
                    )
        if not self.due(t_reply) or rng.random() < 0.04:
            return None
        if rng.random() < 0.05:
            act.do_no_further_handling(
                order,
                clerk,
                reason="c_repeated",
                explanation="该诉求已于上月依法办理并答复，来电人以同一事实再次反映，已向其当面解释，不再重复办理。",
                now=t_reply,
            )
        else:
            act.do_reply(
                order,
                clerk,
                handling_situation=f"已安排工作人员到现场核实处理，{order.title}的问题已整改完毕。",
                citizen_contact="已电话联系服务对象，告知处理情况，对方表示认可。",
                investigation="经现场调查核实，反映情况属实，已督促责任方限期整改并复查。",
                opinion="问题已解决；今后加强日常巡查，依据相关管理规定落实长效管理。",
                public_note=f"您反映的“{order.title}”问题已处理完毕，感谢您的监督。",
                now=t_reply,
            )
        t = t_reply + timedelta(hours=rng.uniform(1, 10))
        if not self.due(t):
            return None
        if rng.random() < 0.05:
            act.do_reverify(
                order,
                self.cast.callback,
                reason="服务对象反映问题仍未解决，与答复不符，请再次核实。",
                now=t,
            )
            t += timedelta(hours=rng.uniform(4, 40))
            if not self.due(t):
                return None
            act.do_reply(
                order,
                clerk,
                handling_situation="再次到现场核实，已彻底整改。",
                citizen_contact="已上门向服务对象解释说明。",
                investigation="复查确认问题已消除。",
                opinion="已办结，纳入日常巡查。",
                now=t,
            )
            t += timedelta(hours=rng.uniform(1, 6))
            if not self.due(t):
                return None
        act.do_accept_reply(order, self.cast.callback, now=t)
        t += timedelta(hours=rng.uniform(2, 40))
        if not self.due(t) or rng.random() < 0.05:
            return None
        if rng.random() < 0.08:
            act.do_record_callback(
                order,
                self.cast.callback,
                method="phone",
                outcome="unreachable",
                note="无人接听",
                now=t,
            )
            t += timedelta(hours=rng.uniform(2, 8))
            if not self.due(t):
                return None
        satisfaction = rng.choices(
            ["satisfied", "basically_satisfied", "unsatisfied"], [72, 18, 10]
        )[0]
        resolution = (
            "resolved" if satisfaction != "unsatisfied" or rng.random() < 0.3 else "unresolved"
        )
        act.do_record_callback(
            order,
            self.cast.callback,
            method=rng.choice(["phone", "phone", "sms", "wechat"]),
            mode="manual",
            satisfaction=satisfaction,
            resolution=resolution,
            note="服务对象对办理情况进行了评价",
            now=t,
        )
        t += timedelta(minutes=rng.randint(2, 30))
        if not self.due(t):
            return None
        if satisfaction == "unsatisfied" and resolution == "unresolved" and order.reopen_count == 0:
            act.do_reopen(
                order, self.cast.callback, reason="服务对象不满意，问题未解决，退回重办。", now=t
            )
            return self.handle(order, unit, [], t)
        act.do_close(order, self.cast.callback, now=t)
        return None

    def route(self, rule: str, district: Area, community: Area) -> Unit:
        if rule == "street":
            street = community.parent
            return self.units[f"{street.code}-office"]
        return self.units[rule.format(d=district.code)]

    def clerk(self, unit: Unit) -> User:
        return self.clerks[unit.pk]

    def rejected(self, t: datetime) -> None:
        reason, line, title, note = self.rng.choice(appeals.REJECTED)
        place, _d, community = _place(self.rng)
        act.do_record_rejected(
            self.rng.choice([self.cast.agent, self.cast.agent2]),
            {
                "title": title,
                "content": _fill(note, place, self.rng),
                "citizen_phone": _phone(self.rng),
                "area": community.code,
            },
            reason=reason,
            note=_fill(note, place, self.rng),
            emergency_line=line,
            now=t,
        )


def build_showcase(now: datetime | None = None) -> int:
    """One order in every state of the lifecycle, plus a yellow, a red (reminded twice and
    supervised) and a running emergency order — so every role's queue has something in it
    whatever the random history produced."""
    now = now or clock.now()
    u = {x.code: x for x in Unit.objects.all()}
    clerks = {x.unit.code: x for x in User.objects.filter(role="unit").select_related("unit")}
    agent, reviewer, supervisor, cb = (
        User.objects.get(username=n) for n in ("agent", "reviewer", "supervisor", "callback")
    )
    zjj, zjj_clerk = u["haibowan-zjj"], clerks["haibowan-zjj"]
    base = {
        "channel": "phone",
        "appeal_type": "complaint",
        "category": "property_management",
        "address": "海勃湾区新华街道康乐社区康乐小区",
        "area": "hbw-xinhua-2",
        "citizen_name": "李秀英",
        "citizen_phone": "13904731234",
        "citizen_address": "海勃湾区新华街道康乐小区5号楼",
        "event_time": "本周",
    }
    reply = {
        "handling_situation": "已约谈物业公司，电梯已于当日修复并加装远程监测。",
        "citizen_contact": "已电话联系来电人说明处理情况。",
        "investigation": "现场核查电梯控制柜故障属实，物业维保不到位。",
        "opinion": "责令物业限期整改，依据《物业管理条例》纳入信用考核。",
        "public_note": "您反映的电梯故障已修复，物业公司已被责令整改。",
    }
    h = lambda hours: now - timedelta(hours=hours)  # noqa: E731

    def new(title: str, hours: float, **extra) -> WorkOrder:
        return act.do_create_order(
            agent,
            {**base, "title": title, "content": f"{title}。来电人希望尽快处理。", **extra},
            now=h(hours),
        )

    def to_unit(order: WorkOrder, hours: float, unit: Unit = zjj) -> WorkOrder:
        act.do_submit(order, agent, now=h(hours))
        act.do_dispatch(order, reviewer, lead_unit=unit, note="请按时限办理", now=h(hours - 0.2))
        return order

    def signed(order: WorkOrder, hours: float, unit: Unit = zjj) -> WorkOrder:
        to_unit(order, hours, unit)
        act.do_sign(order, clerks[unit.code], now=h(hours - 0.5))
        return order

    before = WorkOrder.objects.count()
    act.do_create_draft(
        {
            **base,
            "channel": "portal",
            "title": "网站留言：小区门禁长期损坏",
            "content": "小区门禁坏了两个月，外来人员随意进出。",
        },
        now=h(0.5),
    )
    new("电梯频繁故障困人（已受理待提交）", 0.3)
    act.do_record_rejected(
        agent,
        {"title": "来电称家中失火", "citizen_phone": "13600000000"},
        reason="d_emergency_line",
        emergency_line="119",
        note="已指引拨打119",
        now=h(0.8),
    )
    act.do_submit(new("小区楼道灯不亮（待审核）", 2), agent, now=h(1.9))
    o = new("物业乱收费（退回受理）", 5)
    act.do_submit(o, agent, now=h(4.9))
    act.do_return_to_intake(o, reviewer, reason="请补充收费项目和金额", now=h(4))
    to_unit(new("小区消防通道被占（待签收）", 3), 2.8)
    signed(new("电梯维保不到位（办理中）", 30), 29.5)
    o = signed(new("小区外墙脱落（延期申请中）", 60), 59)
    act.do_request_extension(o, zjj_clerk, days=3, reason="需委托专业机构检测外墙。", now=h(10))
    o = signed(new("开发商拒不办理房产证（挂单申请中）", 50), 49)
    act.do_request_suspension(
        o, zjj_clerk, days=60, reason="已进入行政处罚程序，法定期限60日。", now=h(8)
    )
    o = signed(new("违规改变房屋用途（挂单中）", 120), 119)
    act.do_request_suspension(
        o, zjj_clerk, days=45, reason="行政执法程序，法定办理期限45日。", now=h(100)
    )
    act.do_decide_suspension(o, reviewer, approve=True, note="同意挂单", now=h(99))
    o = signed(new("电梯停运一周（已答复待认定）", 70), 69)
    act.do_reply(o, zjj_clerk, **reply, now=h(3))
    o = signed(new("物业维修基金使用不公开（再核实）", 100), 99)
    act.do_reply(o, zjj_clerk, **reply, now=h(30))
    act.do_reverify(o, cb, reason="来电人称仍未公开账目，与答复不符。", now=h(6))
    o = signed(new("小区垃圾清运不及时（待回访）", 90), 89)
    act.do_reply(o, zjj_clerk, **reply, now=h(20))
    act.do_accept_reply(o, cb, now=h(4))
    o = signed(new("电梯困人（已办结）", 200), 199)
    act.do_reply(o, zjj_clerk, **reply, now=h(150))
    act.do_accept_reply(o, cb, now=h(148))
    act.do_record_callback(
        o,
        cb,
        method="phone",
        satisfaction="satisfied",
        resolution="resolved",
        note="来电人表示满意",
        now=h(140),
    )
    act.do_close(o, cb, now=h(139.9))
    # yellow: most of five working days gone; red: long overdue, reminded twice, supervised
    signed(new("地下车库渗水（即将超期）", 24 * 6), 24 * 6 - 0.5)
    o = signed(new("小区二次供水水箱脏污（已超期）", 24 * 12), 24 * 12 - 0.5)
    sup.do_remind(
        o,
        supervisor,
        contact_name="刘洋",
        contact_phone=zjj.phone,
        result="答复正在协调，未给出办结时间",
        now=h(24 * 3),
    )
    sup.do_remind(
        o,
        supervisor,
        contact_name="刘洋",
        contact_phone=zjj.phone,
        result="仍未回复处理结果",
        now=h(24 * 2),
    )
    if overdue_since(o, h(24)):  # §6.5: only an overdue order is supervised
        sup.do_supervise(
            o,
            supervisor,
            method="phone",
            target=f"{zjj.name}分管领导",
            content="超期未反馈，电话督办分管领导",
            result="承诺本周内办结",
            now=h(24),
        )
    o = new(
        "小区突发大面积停水（应急）",
        1.5,
        category="water_supply",
        emergency_kind="a_utility_outage",
        appeal_type="help",
    )
    signed(o, 1.4, u["ent-water"])
    return WorkOrder.objects.count() - before


def build(orders: int = 300, *, seed: int = 12345, now: datetime | None = None) -> int:
    with transaction.atomic():
        build_organisation()
        made = build_orders(orders, seed=seed, now=now)
        made += build_showcase(now)
        for builder in extra_builders:
            made += builder(now) or 0
        return made
