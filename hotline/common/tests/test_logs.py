"""No citizen's phone or ID-card number in a log line (``hotline.common.logs``)."""

from __future__ import annotations

import io
import logging

from hotline.common.logs import MaskPersonalData, mask_personal_data


def test_phone_and_id_card_numbers_are_masked():
    text = "市民 13912345678、+86 139-1234-5678、座机 0473-2345678，身份证 15030219900101123X"
    masked = mask_personal_data(text)
    for secret in ("13912345678", "139-1234-5678", "2345678", "15030219900101123X"):
        assert secret not in masked, secret
    assert "139****5678" in masked and "0473-****5678" in masked and "[身份证号]" in masked


def test_order_numbers_times_and_ids_stay_readable():
    text = "order 20260309000123 at 2026-03-09T14:00:00+08:00 user=12 took 35ms"
    assert mask_personal_data(text) == text


def test_masking_is_linear_on_long_digit_runs():
    """A megabyte of digits and separators: no catastrophic backtracking."""
    text = ("1" * 11 + "-") * 80_000
    assert len(mask_personal_data(text)) == len(text)


def _logger() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalData())
    logger = logging.getLogger("hotline.tests.masking")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_the_filter_masks_arguments_and_tracebacks():
    logger, stream = _logger()
    logger.info("SMS to %s: %s", "13912345678", "您的工单已受理")
    try:
        raise ValueError("duplicate phone 13912345678")
    except ValueError:
        logger.exception("could not save citizen %s", "150302199001011234")
    out = stream.getvalue()
    assert "13912345678" not in out and "150302199001011234" not in out
    assert "139****5678" in out and "ValueError: duplicate phone 139****5678" in out


def test_the_settings_put_the_filter_on_every_handler():
    from django.conf import settings

    handlers = settings.LOGGING["handlers"]
    for name, handler in handlers.items():
        if handler["class"] != "logging.NullHandler":
            assert "personal_data" in handler.get("filters", []), name
