from __future__ import annotations

import pytest
from django.test import override_settings


def test_healthy_when_database_and_broker_answer(db: None, client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_uptime_monitors_may_probe_with_head(world, client, client_for) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.head("/").status_code == 302  # the landing page: to sign in
    signed_in = client_for("coordinator").head("/")  # one plan: straight to its home
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/halton/")


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_503_names_the_broker_when_redis_is_unreachable(db: None, client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "broker": "down"}


def test_503_names_the_database_when_it_is_unreachable(db: None, client, monkeypatch) -> None:
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_is_read_only(db: None, client, method: str) -> None:
    assert getattr(client, method)("/healthz").status_code == 405
