"""Errors an action raises, each with a stable code, a Chinese message and an HTTP status.

The API turns them into structured JSON; web forms put ``fields`` next to their inputs.
"""

from __future__ import annotations

from hotline.rules.lifecycle import IllegalTransition, RoleNotAllowed


class ActionError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, **extra) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class ValidationFailed(ActionError):
    """Input that breaks a rule: nothing was saved."""

    code = "invalid"
    status = 422

    def __init__(
        self, fields: dict[str, str], message: str = "提交的内容有误，请检查标注的字段"
    ) -> None:
        super().__init__(message, fields=fields)


class Conflict(ActionError):
    """The order is not in a state that allows the action (or someone else got there first)."""

    code = "illegal_transition"
    status = 409


class Forbidden(ActionError):
    code = "forbidden"
    status = 403


class NotFound(ActionError):
    code = "not_found"
    status = 404


def from_rules(exc: Exception, state: str | None = None) -> ActionError:
    """Translate the rules' exceptions into action errors."""
    from hotline.rules.lifecycle import STATES

    if isinstance(exc, IllegalTransition):
        return Conflict(
            str(exc), state=exc.state, state_label=STATES.label(exc.state), action=exc.action
        )
    if isinstance(exc, RoleNotAllowed):
        return Forbidden(str(exc), action=exc.action)
    raise TypeError(exc)
