"""Rule and lexicon suggestions for screening an appeal at intake.

* urgency (§6.1.7): ``normal`` / ``urgent`` / ``very_urgent``;
* emergency kind (§6.4.4 a–d): outages, disasters, public emergencies, 110/119/120/122 links;
* not-accepted reason (§5.3 a–g), with the emergency line to transfer to for §5.3 d.

The codes are those of :mod:`hotline.rules.screening` and :mod:`hotline.rules.taxonomy`.
Each suggestion carries the words that matched, so the agent sees why.  These are cues for
a person, not decisions: a lexicon cannot tell "the fire last month" from "a fire now"
and only the simplest negations ("没有着火", "不是火灾") are recognised.

Confidence of a suggestion combines the weights ``w`` of its matched cues as
``1 - Π(1 - w)``, capped at 0.95.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hotline.nlp.suggestion import Suggestion
from hotline.rules.screening import EMERGENCY_KINDS, EMERGENCY_LINES, NOT_ACCEPTED_REASONS
from hotline.rules.taxonomy import URGENCY

Cue = tuple[str, float]  # (regular expression, weight)

# §5.3 d — matters for the emergency lines, by line.
EMERGENCY_LINE_CUES: dict[str, list[Cue]] = {
    "119": [
        (r"着火|起火|失火|火灾|火警|烧起来|火势|大火|冒(黑|浓)?烟", 0.8),
        (r"(燃气|煤气|天然气|液化气)(泄漏|泄露|漏气)|闻到(很浓的)?(煤气|燃气|天然气)味", 0.6),
        (r"被困|困在电梯|电梯(里)?(还)?困(着)?人|困着人|关在电梯", 0.6),
    ],
    "110": [
        (r"抢劫|抢包|持刀|砍人|杀人|绑架|劫持|打架|斗殴|群殴|打人|被打", 0.75),
        (r"(正在|刚刚|刚才).{0,6}(偷|盗|撬)|小偷|入室盗窃|家暴|耍流氓|猥亵|非礼", 0.7),
        (r"威胁要?(杀|砍|弄死)|要跳楼|想不开|轻生|寻短见", 0.7),
    ],
    "120": [
        (r"晕倒|昏迷|不省人事|休克|抽搐|呼吸困难|心脏病(发|犯)|中风|脑梗发作", 0.8),
        (r"大出血|流了很多血|受了重伤|快不行了|没有呼吸|叫救护车|急救", 0.75),
        (r"(食物|一氧化碳|煤气)中毒", 0.6),
    ],
    "122": [
        (r"交通事故|车祸|撞车|追尾|撞人|被车撞|肇事逃逸|翻车|侧翻", 0.8),
    ],
}

# §6.4.4 a–c — emergency kinds found in the text (d is derived from the lines above).
EMERGENCY_KIND_CUES: dict[str, list[Cue]] = {
    "a_utility_outage": [
        (r"停水|断水|没水|没有水|不来水|水压(很|太)?低", 0.45),
        (r"停电|断电|没电|没有电|跳闸", 0.45),
        (r"停气|断气|(燃气|煤气|天然气)(泄漏|泄露|漏气)|没有?燃气", 0.55),
        (r"停暖|暖气不热|不供暖|没有暖气|暖气(片)?冰凉|供暖中断", 0.45),
        (r"断网|网络中断|没有信号|光缆(被)?(挖断|断了)", 0.4),
        (r"(水管|管道|主管)(爆裂|爆了|破裂)|爆管", 0.5),
    ],
    "b_natural_disaster": [
        (r"山体滑坡|滑坡|泥石流|塌方|崩塌|地面塌陷|地陷", 0.8),
        (r"地震|洪水|洪涝|山洪|决堤|溃坝|内涝|被淹|台风|龙卷风|冰雹|暴雪|雪灾|森林火灾|山火", 0.7),
        (r"暴雨|大雨|干旱|旱灾|雷击", 0.35),
    ],
    "c_public_emergency": [
        (r"爆炸|坍塌|倒塌|踩踏|(集体|群体|多人)(食物)?中毒", 0.75),
        (r"疫情|传染病|化学品泄漏|危化品|有毒气体|毒气", 0.6),
        (r"群体性事件|大量人员聚集|围堵|堵路|拉横幅", 0.5),
    ],
}

# Words that make an outage regional (§6.4.4 a says "区域性"): a whole building or area.
REGIONAL_CUES = r"整(栋|幢|个小区|个村|条街|片)|全(小区|村|楼|镇|社区)|大面积|一片|片区|好几栋|附近都|周边都|整个"

# §6.1.7 — urgency beyond what the emergency cues already imply.
URGENT_CUES: list[Cue] = [
    (r"紧急|十万火急|刻不容缓|情况危急|非常危险|随时可能|马上就要", 0.5),
    (r"井盖(丢|没了|缺失|被偷)|电线(掉|垂|断)|漏电|触电|危房|墙体开裂|裂缝越来越大", 0.55),
    (r"电梯(故障|坏了|停运)|树(木)?倒(了|伏)|污水(外溢|倒灌)|积水(很深|严重)", 0.4),
    (r"老人|孩子|小孩|病人|孕妇|残疾", 0.15),
]

# §5.3 a, b, c, e, f — not accepted.  (d comes from EMERGENCY_LINE_CUES; g has no cue.)
NOT_ACCEPTED_CUES: dict[str, list[Cue]] = {
    "a_legal_procedure": [
        (r"(已经|已|正在|目前在)(向法院)?(起诉|上诉|申请仲裁|仲裁|打官司|申请(行政)?复议)", 0.75),
        (r"法院(已经)?(判决|裁定|立案|受理)|仲裁(委|庭|裁决)|劳动仲裁|行政复议|判决书", 0.5),
        (r"纪委|监委|纪检监察|信息公开申请|依申请公开", 0.45),
        (r"起诉|诉讼|打官司", 0.3),
    ],
    "b_petition": [
        (r"(已经|已|去过|到过|多次)(到|去|向)?.{0,6}(信访|上访)", 0.8),
        (r"信访(局|办|部门|件|事项|答复|复查)|上访", 0.5),
    ],
    "c_secret_or_privacy": [
        (
            r"(查|查询|告诉我|给我).{0,8}(他|她|别人|某人|对方).{0,6}(电话|手机号|住址|身份证|开房|行踪)",
            0.7,
        ),
        (r"国家秘密|商业秘密|机密文件", 0.6),
    ],
    "e_harassment_or_unclear": [
        (r"傻[逼比屄]|操你|你妈的|去死|滚蛋|神经病|王八蛋", 0.6),
        (r"打错了|没事了|不好意思打错|测试一下|喂喂喂?|听得到吗", 0.6),
    ],
    "f_illegal_demand": [
        (r"假证|伪造|代开发票|虚开发票|开个假|帮我(改|造)(一下)?(档案|年龄|户口)", 0.7),
        (r"(通融|走后门|特殊照顾|插个队|违规办理|不按规定)", 0.45),
    ],
}

_NEGATION = re.compile(r"(没有|没|不是|并非|未|无)$")


@dataclass(frozen=True)
class Screening:
    """Everything :func:`screen` suggests for one appeal."""

    urgency: Suggestion
    emergency_kinds: list[Suggestion]
    not_accepted: list[Suggestion]

    def as_dict(self) -> dict[str, Any]:
        return {
            "urgency": self.urgency.as_dict(),
            "emergency_kinds": [s.as_dict() for s in self.emergency_kinds],
            "not_accepted": [s.as_dict() for s in self.not_accepted],
        }


_compiled: dict[str, re.Pattern[str]] = {}


def _pattern(expr: str) -> re.Pattern[str]:
    if expr not in _compiled:
        _compiled[expr] = re.compile(expr)
    return _compiled[expr]


def _matches(text: str, cues: list[Cue]) -> tuple[float, list[str]]:
    """Combined confidence and matched words of ``cues`` in ``text``; negated hits skipped."""
    miss = 1.0
    words: list[str] = []
    for expr, weight in cues:
        hit = False
        for m in _pattern(expr).finditer(text):
            if _NEGATION.search(text[max(0, m.start() - 3) : m.start()]):
                continue
            if m.group(0) not in words:
                words.append(m.group(0))
            hit = True
        if hit:
            miss *= 1.0 - weight
    return min(0.95, round(1.0 - miss, 3)), words


def _join(text: str, title: str) -> str:
    return f"{title}。{text}" if title else (text or "")


def emergency_lines(text: str, title: str = "") -> list[Suggestion]:
    """§5.3 d: which emergency lines (110/119/120/122) the appeal is a matter for."""
    full = _join(text, title)
    out = []
    for line, cues in EMERGENCY_LINE_CUES.items():
        conf, words = _matches(full, cues)
        if words:
            term = EMERGENCY_LINES[line]
            out.append(Suggestion(line, term.label, conf, words, term.clause))
    return sorted(out, key=lambda s: -s.confidence)


def suggest_emergency_kinds(text: str, title: str = "") -> list[Suggestion]:
    """§6.4.4 a–d suggestions, most confident first (empty when nothing matched).

    Outages (a) count as emergencies when regional; without a word such as "整栋" or
    "大面积" their confidence is halved, because one household's outage is usually a
    repair or an unpaid bill.
    """
    full = _join(text, title)
    out = []
    for code, cues in EMERGENCY_KIND_CUES.items():
        conf, words = _matches(full, cues)
        if not words:
            continue
        if code == "a_utility_outage":
            regional = [m.group(0) for m in _pattern(REGIONAL_CUES).finditer(full)]
            if regional:
                conf = min(0.95, round(conf + 0.35 * (1 - conf), 3))
                words = words + [w for w in regional if w not in words]
            else:
                conf = round(conf / 2, 3)
        term = EMERGENCY_KINDS[code]
        out.append(Suggestion(code, term.label, conf, words, term.clause))
    lines = emergency_lines(text, title)
    if lines:
        term = EMERGENCY_KINDS["d_emergency_line_linkage"]
        words = [w for s in lines for w in s.matched]
        out.append(
            Suggestion(
                term.code,
                term.label,
                lines[0].confidence,
                words,
                term.clause,
                {"lines": ",".join(s.code for s in lines)},
            )
        )
    return sorted(out, key=lambda s: -s.confidence)


def _unclear(text: str) -> tuple[float, list[str]]:
    """§5.3 e without a lexicon: empty, too short or no Chinese/letters at all."""
    meaningful = re.sub(r"[\W_\d]", "", text)
    if not meaningful:
        return 0.9, ["（无实质内容）"]
    if len(meaningful) < 4:
        return 0.6, ["（内容过短）"]
    distinct = len(set(meaningful))
    if len(meaningful) >= 8 and distinct <= 2:
        return 0.8, ["（重复字符）"]
    cjk = len(re.findall(r"[\u4e00-\u9fff]", meaningful))
    if cjk == 0 and len(meaningful) >= 4 and not re.search(r"[aeiou]", meaningful.lower()):
        return 0.6, ["（无法识别的字符）"]
    return 0.0, []


def suggest_not_accepted(text: str, title: str = "") -> list[Suggestion]:
    """§5.3 a–g suggestions, most confident first; empty when the appeal looks acceptable.

    For §5.3 d the suggestion's ``extra["line"]`` says which line to transfer to.
    """
    full = _join(text, title)
    out = []
    for code, cues in NOT_ACCEPTED_CUES.items():
        conf, words = _matches(full, cues)
        if code == "e_harassment_or_unclear":
            uconf, uwords = _unclear(full)
            if uconf > conf:
                conf, words = uconf, uwords + words
        if words:
            term = NOT_ACCEPTED_REASONS[code]
            out.append(Suggestion(code, term.label, conf, words, term.clause))
    lines = emergency_lines(text, title)
    if lines:
        term = NOT_ACCEPTED_REASONS["d_emergency_line"]
        best = lines[0]
        out.append(
            Suggestion(
                term.code,
                term.label,
                best.confidence,
                [w for s in lines for w in s.matched],
                term.clause,
                {"line": best.code, "lines": ",".join(s.code for s in lines)},
            )
        )
    return sorted(out, key=lambda s: -s.confidence)


def suggest_urgency(text: str, title: str = "") -> Suggestion:
    """§6.1.7: one suggestion, ``normal`` unless cues say otherwise.

    ``very_urgent`` when an emergency line or a disaster/public emergency matched with
    confidence ≥ 0.6; ``urgent`` for regional outages, hazards and explicit urgency words.
    """
    full = _join(text, title)
    kinds = {s.code: s for s in suggest_emergency_kinds(text, title)}
    severe = [
        kinds[c]
        for c in ("d_emergency_line_linkage", "b_natural_disaster", "c_public_emergency")
        if c in kinds and kinds[c].confidence >= 0.6
    ]
    if severe:
        best = max(severe, key=lambda s: s.confidence)
        words = [w for s in severe for w in s.matched]
        return _urgency("very_urgent", best.confidence, words)
    conf, words = _matches(full, URGENT_CUES)
    for kind in kinds.values():
        conf = 1 - (1 - conf) * (1 - kind.confidence)
        words += [w for w in kind.matched if w not in words]
    if conf >= 0.4:
        return _urgency("urgent", min(0.95, round(conf, 3)), words)
    # No cue is weak evidence of "normal": a lexicon misses much, so stay modest.
    return _urgency("normal", round(0.7 - 0.5 * conf, 3), words)


def _urgency(code: str, confidence: float, words: list[str]) -> Suggestion:
    term = URGENCY[code]
    return Suggestion(code, term.label, confidence, words, term.clause)


def screen(text: str, title: str = "") -> Screening:
    """All screening suggestions for one appeal."""
    return Screening(
        urgency=suggest_urgency(text, title),
        emergency_kinds=suggest_emergency_kinds(text, title),
        not_accepted=suggest_not_accepted(text, title),
    )
