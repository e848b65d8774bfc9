"""allauth's rate limits, counted in the real Redis cache, with the client IP taken from the one
trusted proxy; the Django admin signs in through the same protections."""

from __future__ import annotations

import time

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.test import RequestFactory
from django.urls import reverse

from ..conftest import World
from ..factories import PASSWORD

LOCKED = "Too many failed login attempts"


def _sign_in(client, password: str, ip: str = "198.51.100.7"):
    return client.post(
        reverse("account_login"),
        {"login": "member@halton.example", "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def three_failures_per_five_minutes(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "10/m/ip,3/5m/key",
    }


def test_login_locks_after_the_configured_failures_and_recovers(
    world: World, client, monkeypatch, three_failures_per_five_minutes
) -> None:
    for _ in range(3):
        assert LOCKED not in _sign_in(client, "wrong-password").content.decode()
    locked = _sign_in(client, PASSWORD)
    assert locked.status_code == 200
    assert LOCKED in locked.content.decode()  # even the right password is refused now
    assert "_auth_user_id" not in client.session

    # Five minutes later (allauth's clock, moved on) the right password works again.
    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)
    assert _sign_in(client, PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_too_many_requests_from_one_address_get_a_clear_page(world: World, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    codes = [_sign_in(client, "wrong").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    page = _sign_in(client, "wrong").content.decode()
    assert "Too many attempts" in page
    assert "Wait a few minutes" in page


def test_password_reset_requests_are_limited(world: World, client, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/key"}
    url = reverse("account_reset_password")
    responses = [client.post(url, {"email": "member@halton.example"}) for _ in range(3)]
    assert [r.status_code for r in responses[:2]] == [302, 302]
    assert responses[2].status_code == 429
    assert "Too many attempts" in responses[2].content.decode()


def test_the_client_ip_is_the_one_our_proxy_saw(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # A client can put anything in X-Forwarded-For; only the entry our proxy appended counts.
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50", REMOTE_ADDR="172.18.0.2"
    )
    assert get_adapter().get_client_ip(request) == "203.0.113.50"


def test_failures_from_one_client_do_not_lock_out_another(
    world: World, client, settings, three_failures_per_five_minutes
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        client.post(
            reverse("account_login"),
            {"login": "member@halton.example", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    other = client.post(
        reverse("account_login"),
        {"login": "member@halton.example", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert other.status_code == 302


def test_the_django_admin_signs_in_through_allauth(db: None, client) -> None:
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_failed_and_successful_sign_ins_are_logged_for_the_plan(world: World, client) -> None:
    from django_scopes import scope

    from cswb.models import ActivityEvent

    _sign_in(client, "wrong")
    _sign_in(client, PASSWORD)
    with scope(tenant=world.halton):
        verbs = list(
            ActivityEvent.objects.filter(actor=world.member, verb__startswith="auth.")
            .order_by("at", "id")
            .values_list("verb", flat=True)
        )
    with scope(tenant=world.lakeshore):
        assert not ActivityEvent.objects.filter(actor=world.member).exists()
    assert verbs == ["auth.login_failed", "auth.login"]
