"""Small appeals written for these tests; none comes from real data."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.hotspots import Appeal

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday
_ids = itertools.count(1)


def appeal(
    title: str,
    text: str = "",
    *,
    day: float = 0,
    citizen: str | None = None,
    likes: int = 0,
    **extra: object,
) -> Appeal:
    """An appeal ``day`` days after START; ids and citizens are unique unless given."""
    number = next(_ids)
    return Appeal(
        id=number,
        title=title,
        text=text,
        time=START + timedelta(days=day),
        citizen=citizen if citizen is not None else f"1380000{number:04d}",
        likes=likes,
        **extra,  # type: ignore[arg-type]
    )


# Unrelated everyday appeals, so that the vocabulary is not only the topic under test.
BACKGROUND = [
    ("咨询新生儿医保参保办理流程", "孩子刚出生，想了解医保参保需要哪些材料，在哪里办理。"),
    ("公交12路发车间隔太长", "早高峰等车要半小时，希望增加班次。"),
    ("反映养老金调整后未到账", "本月养老金调整，但银行卡里还是原来的金额。"),
    ("建议在人民公园增设公共厕所", "公园面积很大但只有一个厕所，游客很不方便。"),
    ("举报某超市销售过期食品", "昨天在超市买的牛奶已经过期三天，要求查处。"),
    ("咨询公积金提取条件", "租房能否提取住房公积金，需要什么证明材料。"),
    ("学校门口早晚高峰交通拥堵", "接送孩子的车辆乱停，希望交警疏导。"),
    ("小区电梯经常故障停运", "电梯一个月坏了四次，老人上下楼很困难。"),
    ("咨询失业保险金申领", "单位解除劳动合同后怎样申请失业保险金。"),
    ("路灯不亮存在安全隐患", "晚上整条路漆黑一片，行人和电动车都看不清。"),
]


def background(day: float = 0) -> list[Appeal]:
    return [appeal(t, x, day=day + k * 0.3) for k, (t, x) in enumerate(BACKGROUND)]


@pytest.fixture
def make_appeal():
    return appeal
