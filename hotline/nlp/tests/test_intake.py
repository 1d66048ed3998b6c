"""One call pre-fills the intake form (§6.1.5–§6.1.7, §5.4) for the agent to confirm."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.nlp.extract import Gazetteer
from hotline.nlp.intake import suggest_for_intake

NOW = datetime(2024, 3, 13, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.clause("6.1.5", "6.1.6", "6.1.7")
def test_intake_suggestions_cover_every_field():
    g = Gazetteer.from_rows([{"id": 7, "name": "滨河社区", "level": "community"}])
    s = suggest_for_intake(
        "昨晚开始滨河社区整栋楼停水，到现在还没来水，电话13812345678", "停水", NOW, g
    )
    assert s.domains[0].code == "public_service"
    assert s.subcategories[0].code == "water_supply"
    assert s.screening.urgency.code == "urgent"
    assert s.screening.emergency_kinds[0].code == "a_utility_outage"
    assert s.elements is not None
    assert s.elements.phones[0].number == "13812345678"
    assert s.elements.areas[0].area_id == 7
    assert s.as_dict()["elements"]["times"][0]["text"] == "昨晚"


def test_without_a_call_time_elements_are_skipped():
    assert suggest_for_intake("路灯坏了").elements is None
