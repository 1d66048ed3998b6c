"""Personal data in free text (PIPL, §6.1.6): what is found, how it is masked, and that
every pattern runs in linear time on hostile input."""

import pytest

from hotline.rules import pii
from hotline.tests.timing import linear

ID = "150302198507150021"


def kinds(text, **kw):
    return [(f.kind, text[f.start : f.end]) for f in pii.find(text, **kw)]


@pytest.mark.parametrize(
    "text",
    [
        "13905555555",
        "１３９０５５５５５５５",
        "139 0555 5555",
        "139-0555-5555",
        "1 3 9 0 5 5 5 5 5 5 5",
        "一三九零五五五五五五五",
        "幺三九 零五五五 五五五五",
        "+86 139 0555 5555",
        "8613905555555",
    ],
)
def test_mobile_number_is_found_however_it_is_typed(text):
    (found,) = pii.find(f"电话{text}。")
    assert found.kind == "mobile"
    assert found.value.endswith("13905555555")


@pytest.mark.parametrize(
    "text", ["0473-2345678", "(0473)2345678", "（０４７３）２３４５６７８", "010 82345678"]
)
def test_landline_with_area_code_is_found(text):
    assert [f.kind for f in pii.find(f"座机{text}")] == ["landline"]


def test_local_number_is_a_phone_only_after_a_cue():
    assert [f.kind for f in pii.find("联系电话：2345678")] == ["landline"]
    assert pii.find("共计2345678元") == []


@pytest.mark.parametrize(
    "text",
    [
        ID,
        "150302 19850715 0021",
        "150302-1985-0715-0021",
        "15030219850715002X",
        "１５０３０２１９８５０７１５００２ｘ",
    ],
)
def test_id_card_number_is_found_with_or_without_spaces(text):
    (found,) = pii.find(f"身份证号{text}，")
    assert found.kind == "id_card"


def test_old_fifteen_digit_id_card_number_is_found():
    assert [f.kind for f in pii.find("身份证150302850715002")] == ["id_card"]


def test_bank_card_number_is_found():
    assert [f.kind for f in pii.find("卡号6222 0212 3456 7890 123")] == ["bank_card"]


def test_email_is_found():
    assert kinds("邮箱 jianjun@example.com.cn，") == [("email", "jianjun@example.com.cn")]


def test_ordinary_numbers_stay():
    """House numbers, counts, dates, money and order numbers are not personal data."""
    text = "3号楼2单元，共15户，门牌12号，2026年11月2日，赔偿5000元，工单20261102000042"
    assert pii.find(text) == []
    assert pii.mask_text(text) == text


def test_two_phones_separated_by_a_space_are_two_findings():
    assert [f.kind for f in pii.find("13905555555 13812345678")] == ["mobile", "mobile"]


def test_names_and_home_addresses_after_a_cue_are_found_for_publication():
    found = kinds("我是王建军，家住康乐小区5号楼3单元", names_and_homes=True)
    assert found == [("name", "王建军"), ("home_address", "康乐小区5号楼3单元")]


def test_a_word_after_a_cue_that_is_no_name_stays():
    assert kinds("我是业主，住建局不管", names_and_homes=True) == []


def test_staff_mask_keeps_the_shape():
    text = f"电话13905555555，身份证{ID}，邮箱jianjun@example.com，座机0473-2345678"
    assert pii.mask_text(text) == (
        "电话139****5555，身份证1503**********0021，邮箱j***@example.com，座机0473-*****78"
    )


def test_public_redaction_uses_placeholders_and_hides_names_and_homes():
    text = "我叫王建军，家住康乐小区5号楼，电话13905555555，身份证" + ID
    assert pii.mask_text(text, style="redact") == (
        "我叫王**，家住[地址已隐去]，电话[电话已隐去]，身份证[证件号已隐去]"
    )


def test_the_orders_own_citizen_fields_are_hidden_where_they_appear_literally():
    known = pii.Known(name="李秀英", phone="0473-2345678", address="新华街道康乐小区5号楼")
    text = "李秀英（新华街道康乐小区5号楼）来电"
    assert pii.mask_text(text, known=known) == "李**（[地址已隐去]）来电"


def test_the_home_address_equal_to_the_place_of_the_problem_stays():
    known = pii.Known(address="康乐小区", place="康乐小区")
    assert pii.mask_text("康乐小区漏水", known=known) == "康乐小区漏水"


def test_masks_of_citizen_fields():
    assert pii.mask_phone("13905555555") == "139****5555"
    assert pii.mask_phone("2345678") == "23***78"
    assert pii.mask_name("王建军") == "王**"
    assert pii.mask_name("") == ""


def test_search_terms_that_could_probe_personal_data():
    assert pii.looks_personal("5555")
    assert pii.looks_personal("１３９")
    assert pii.looks_personal("一三九")
    assert pii.looks_personal("a@b")
    assert not pii.looks_personal("路灯不亮")
    assert not pii.looks_personal("一楼")


def test_contains_personal_data():
    assert pii.contains_personal_data("电话13905555555")
    assert not pii.contains_personal_data("路灯不亮")


# ---------------------------------------------------------------------------------------
# linear time: 100,000-character adversarial strings, a generous limit.  A backtracking
# pattern takes minutes on these (the old e-mail pattern needed 2 s for 20,000 letters).

N = 100_000
ADVERSARIAL = {
    "letters": "a" * N,
    "email local parts": "a." * (N // 2),
    "almost emails": "a@b." * (N // 4),
    "at signs": "a@" * (N // 2),
    "digits": "1" * N,
    "spaced digits": "1 " * (N // 2),
    "hyphenated digits": "1-" * (N // 2),
    "wide gaps": "1  -" * (N // 4),
    "chinese numerals": "一" * N,
    "spaced chinese numerals": "一 " * (N // 2),
    "alternating scripts": "1一" * (N // 2),
    "full-width digits": "１" * N,
    "country codes": "+8" * (N // 2),
    "phones": "13905555555 " * (N // 12),
    "almost phones": "1390555555 " * (N // 11),
    "ids with x": ("1" * 17 + "X ") * (N // 19),
    "phone cues": "电话1" * (N // 3),
    "name cues": "我叫王" * (N // 3),
    "home cue and a long tail": "家住" + "甲" * N,
    "home cues": "家住" * (N // 2),
}
LIMIT_SECONDS = 5.0


@pytest.mark.parametrize("name", list(ADVERSARIAL))
@pytest.mark.parametrize("style", ["partial", "redact"])
def test_masking_runs_in_linear_time_on_adversarial_text(name, style):
    text = ADVERSARIAL[name]
    assert len(text) >= N - 20
    known = pii.Known(name="王建军", phone="13905555555", address="康乐小区5号楼")

    def run(value: str) -> None:
        pii.mask_text(value, style=style, known=known)
        pii.looks_personal(value)

    ok, detail = linear(run, text, limit=LIMIT_SECONDS)
    assert ok, f"{name}: {detail}"
