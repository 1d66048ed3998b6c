import chinese_calendar
import pytest

from hotline.rules.calendar import WorkingCalendar


@pytest.fixture(scope="session")
def cal() -> WorkingCalendar:
    """The official calendar as the app seeds it: every year chinesecalendar knows."""
    years = {d.year for d in chinese_calendar.holidays}
    return WorkingCalendar(
        chinese_calendar.holidays.keys(), chinese_calendar.workdays.keys(), years
    )
