"""The unsubscribe link: works without signing in, in one click (RFC 8058) or from its page;
cannot be forged or turned on another recipient; says so when it has nothing to do."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from cswb.models import ActivityEvent
from engagement.models import DigestPreference, Frequency
from engagement.selectors.digests import contact_key, user_key
from engagement.services.digests import frequency_for, unsubscribe_token
from partners.services.organizations import contact_delete

from ..conftest import World
from .utils import contact, happenings, send_round

pytestmark = pytest.mark.django_db


def _url(world: World, key: str, tenant=None) -> str:
    token = unsubscribe_token(tenant=tenant or world.halton, recipient=key)
    return reverse("digest-unsubscribe", kwargs={"token": token})


def _frequency(world: World, key: str) -> str:
    with scope(tenant=world.halton):
        return frequency_for(tenant=world.halton, recipient=key)


def _csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_one_click_from_the_email_header_unsubscribes(world: World, sink) -> None:
    happenings(world, world.table, "Youth")
    send_round(world)
    [message] = sink.to("partner@halton.example")
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    path = link.removeprefix("http://testserver")
    # What a mail provider does: a POST with this body, no cookie, no CSRF token.
    response = _csrf_client().post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert _frequency(world, user_key(world.partner.pk)) == Frequency.OFF
    assert _frequency(world, user_key(world.coordinator.pk)) == Frequency.WEEKLY
    with scope(tenant=world.halton):
        event = ActivityEvent.objects.get(verb="digest.unsubscribed")
    assert "one-click" in event.summary


def test_opening_the_link_changes_nothing_until_confirmed(world: World) -> None:
    url = _url(world, user_key(world.partner.pk))
    page = Client().get(url)
    assert page.status_code == 200
    assert b"partner@halton.example" in page.content
    assert b"Unsubscribe" in page.content
    assert _frequency(world, user_key(world.partner.pk)) == Frequency.WEEKLY

    response = _csrf_client().post(url, {"frequency": "off"}, follow=True)
    assert b"You are unsubscribed" in response.content
    assert _frequency(world, user_key(world.partner.pk)) == Frequency.OFF


def test_already_unsubscribed_says_so(world: World) -> None:
    url = _url(world, user_key(world.partner.pk))
    Client().post(url, {"frequency": "off"})
    response = Client().post(url, {"frequency": "off"}, follow=True)
    assert b"You were already unsubscribed" in response.content
    assert b"no digests are sent to this address" in Client().get(url).content
    with scope(tenant=world.halton):
        assert ActivityEvent.objects.filter(verb="digest.unsubscribed").count() == 1


def test_the_page_also_sets_monthly_or_back_on(world: World) -> None:
    url = _url(world, contact_key(contact(world, world.youth_org, "intake@youth.example").email))
    Client().post(url, {"frequency": "monthly"})
    assert _frequency(world, contact_key("intake@youth.example")) == Frequency.MONTHLY
    Client().post(url, {"frequency": "weekly"})
    assert _frequency(world, contact_key("intake@youth.example")) == Frequency.WEEKLY
    response = Client().post(url, {"frequency": "hourly"}, follow=True)
    assert b"Choose weekly, monthly or off" in response.content


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(":", ";", 1),
        lambda token: "not-a-token",
    ],
    ids=["signature", "structure", "garbage"],
)
def test_a_forged_link_is_refused_and_changes_nothing(world: World, tamper) -> None:
    token = unsubscribe_token(tenant=world.halton, recipient=user_key(world.partner.pk))
    url = reverse("digest-unsubscribe", kwargs={"token": tamper(token)})
    for response in (Client().get(url), Client().post(url, {"frequency": "off"})):
        assert response.status_code == 400
        assert b"does not work" in response.content
    assert _frequency(world, user_key(world.partner.pk)) == Frequency.WEEKLY
    with scope(tenant=world.halton):
        assert not DigestPreference.objects.exists()


def test_a_link_cannot_be_turned_on_another_recipient(world: World) -> None:
    """The partner's link unsubscribes the partner only; their signature on the
    coordinator's key, or a token signed for another purpose, is refused."""
    mine = unsubscribe_token(tenant=world.halton, recipient=user_key(world.partner.pk))
    theirs = unsubscribe_token(tenant=world.halton, recipient=user_key(world.coordinator.pk))
    grafted = theirs.split(":", 1)[0] + ":" + mine.split(":", 1)[1]
    other_salt = signing.dumps({"t": world.halton.pk, "r": user_key(world.coordinator.pk)})
    for token in (grafted, other_salt):
        url = reverse("digest-unsubscribe", kwargs={"token": token})
        assert Client().post(url, {"frequency": "off"}).status_code == 400
    Client().post(reverse("digest-unsubscribe", kwargs={"token": mine}), {"frequency": "off"})
    assert _frequency(world, user_key(world.partner.pk)) == Frequency.OFF
    assert _frequency(world, user_key(world.coordinator.pk)) == Frequency.WEEKLY


def test_a_link_is_bound_to_its_plan(world: World) -> None:
    """The outsider's key signed for Lakeshore does nothing in Halton and vice versa."""
    url = _url(world, user_key(world.outsider.pk), tenant=world.halton)
    assert Client().post(url, {"frequency": "off"}).status_code == 404
    with scope(tenant=world.lakeshore):
        assert not DigestPreference.objects.exists()


def test_a_contact_removed_since_gets_a_clear_page(world: World) -> None:
    desk = contact(world, world.youth_org, "intake@youth.example")
    url = _url(world, contact_key(desk.email))
    contact_delete(contact=desk, actor=world.admin)
    response = Client().get(url)
    assert response.status_code == 404
    assert b"no longer receives digests" in response.content
