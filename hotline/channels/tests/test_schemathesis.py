"""schemathesis against ``/api/openapi.json``, in-process through the WSGI app: every operation
of the API (staff, supervision, analytics, channel) gets generated requests — with a staff
token or a channel key — and must answer without a server error, with a status code, content
type and body that its schema declares.  Bounded and deterministic (a few examples per
operation, derandomised) so it runs in CI in well under a minute and a half."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

NEGATIVE = GenerationMode.NEGATIVE
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 6
NEGATIVE_EXAMPLES = 3


def _run(
    op, headers: dict, strategy_kwargs: dict, failures: list[str], examples: int = EXAMPLES
) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(**strategy_kwargs))
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        pass  # nothing to negate: the operation takes no input
    except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures together
        failures.append(f"{op.label} {strategy_kwargs or ''}\n{_describe(exc)}")


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)
    if not inner:
        return f"{type(exc).__name__}: {exc}"
    return "\n".join(_describe(e) for e in inner)


@override_settings(HOTLINE_CHANNEL_TRACK_PER_MINUTE=100_000)
def test_the_api_conforms_to_its_openapi_schema(admin_user, agent, appeal, org):
    from hotline.channels import services
    from hotline.channels.models import ChannelClient
    from hotline.orders import actions
    from hotline.org.models import ApiToken
    from hotline.wsgi import application

    _, token = ApiToken.issue(admin_user, "schemathesis")
    client, key = ChannelClient.issue("schemathesis", "app", rate_limit_per_minute=100_000)
    order = actions.do_create_order(agent, appeal)
    submitted, _ = services.submit_appeal(client, {"content": "路灯不亮", "phone": "13900001111"})
    staff = {"Authorization": f"Bearer {token}"}
    channel = {"X-Api-Key": key}

    failures: list[str] = []
    # As Django's test client does: the test's transaction must survive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        for result in schema.get_all_operations():
            op = result.ok()
            headers = channel if op.path.startswith("/api/v1/channel/") else staff
            _run(op, headers, {}, failures)
            # invalid input must be refused with a documented 4xx, never a 500
            _run(op, headers, {"generation_mode": NEGATIVE}, failures, NEGATIVE_EXAMPLES)
            if "{number}" in op.path:
                # also against a real order, so the answers of real actions are checked too
                number = submitted.number if headers is channel else order.number
                _run(op, headers, {"path_parameters": {"number": number}}, failures)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


pytestmark = [pytest.mark.filterwarnings("ignore"), pytest.mark.usefixtures("now")]
