from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client


class Api:
    """A staff API client acting as one persona (token authentication)."""

    def __init__(self, user) -> None:
        from hotline.org.models import ApiToken

        token, self.key = ApiToken.issue(user, "test")
        # Tests travel across years; a persona's token outlives them (token expiry has its
        # own tests in hotline/tests/security/test_logins.py).
        ApiToken.objects.filter(pk=token.pk).update(expires_at=datetime(2100, 1, 1, tzinfo=UTC))
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.key}")

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), content_type="application/json"
        )

    def ok(self, method: str, path: str, body: dict | None = None, status: int = 200) -> dict:
        r = getattr(self, method)(path, body) if method != "get" else self.get(path)
        assert r.status_code == status, (r.status_code, r.content.decode())
        return r.json()


@pytest.fixture
def as_(db):
    """``as_(user)`` → an API client acting as that persona."""
    return Api
