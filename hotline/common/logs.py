"""Log lines without citizens' personal data.

``MaskPersonalData`` sits on every log handler of the settings: whatever a message, its
arguments or a traceback carry, mobile and landline numbers and ID-card numbers come out
masked (``138****5678``, ``0473-***5678``, ``[身份证号]``).  Names cannot be recognised in
free text, so the code never logs them (the message gateways log the channel, the masked
recipient and the masked text — not the recipient's name).

The patterns are fixed-width digit runs with look-arounds: linear time on any input.
"""

from __future__ import annotations

import logging
import re

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?\d{3,4}(\d{4})(?!\d)")


def mask_personal_data(text: str) -> str:
    """``text`` with phone and ID-card numbers masked."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = _ID_CARD.sub("[身份证号]", text)
    text = _MOBILE.sub(r"\1****\2", text)
    return _LANDLINE.sub(r"\1-****\2", text)


class MaskPersonalData(logging.Filter):
    """A handler filter: formats the record's message (and traceback) once, masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it
            return True
        record.msg = mask_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
