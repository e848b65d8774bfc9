"""What each recipient's digest holds, on known data: the tables they follow, members-only
tables to their members alone, nothing from another plan, and no email when nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope

from engagement.models import DeliveryStatus, DigestDelivery
from engagement.selectors.digests import contact_key, user_key

from ..conftest import World
from .utils import contact, happenings, send_round

pytestmark = pytest.mark.django_db


def _mail_to(address: str):
    found = [m for m in mail.outbox if m.to == [address]]
    assert len(found) <= 1, f"{address} got {len(found)} digests"
    return found[0] if found else None


@pytest.fixture
def busy(world: World) -> World:
    """Something happened at each Halton table, and at Lakeshore's."""
    happenings(world, world.table, "Youth")
    happenings(world, world.ipv, "IPV")
    happenings(world, world.food, "Food")
    happenings(world, world.lakeshore_table, "Lakeshore")
    contact(world, world.youth_org, "intake@youth.example")
    contact(world, world.police_org, "desk@police.example", name="Community desk")
    return world


# Which tables' work each recipient reads about.
EXPECTED = {
    "coordinator@halton.example": {"Youth", "IPV"},  # seats at both
    "partner@halton.example": {"Youth", "IPV"},  # through the youth organization
    "leader@halton.example": {"Youth", "Food"},  # every plan-wide table, no members-only one
    "admin@halton.example": {"Youth", "Food"},
    "intake@youth.example": {"Youth"},  # a contact: plan-wide tables of their organization
    "desk@police.example": {"Youth"},
}


def test_each_recipient_reads_about_their_tables_only(busy: World) -> None:
    result = send_round(busy)
    assert result.sent == len(EXPECTED)
    for address, labels in EXPECTED.items():
        message = _mail_to(address)
        assert message is not None, f"{address} got no digest"
        text = message.body
        html = message.alternatives[0][0]
        for label in ("Youth", "IPV", "Food", "Lakeshore"):
            for part in (text, html):
                shown = f"{label} new action" in part
                assert shown is (label in labels), f"{address}: {label} shown={shown}"
        for label in labels:
            for what in ("finished action", "measure", "meeting"):
                assert f"{label} {what}" in text
    assert _mail_to("member@halton.example") is None  # follows no table: nothing to report
    assert _mail_to("outsider@lakeshore.example") is None


def test_members_only_tables_carry_a_do_not_forward_note(busy: World) -> None:
    send_round(busy)
    coordinator = _mail_to("coordinator@halton.example")
    assert "INTIMATE PARTNER VIOLENCE (members only: please do not forward)" in coordinator.body
    leader = _mail_to("leader@halton.example")
    assert "members only" not in leader.body


def test_outcomes_come_with_their_trend_and_links_lead_back(busy: World) -> None:
    send_round(busy)
    text = _mail_to("partner@halton.example").body
    assert "Youth measure (Up 50% since baseline (10 → 15 people)" in text
    assert "http://testserver/halton/tables/youth-mental-health/" in text
    assert "/halton/tables/youth-mental-health/meetings/" in text  # minutes of the meeting held


def test_the_plan_time_zone_is_used(busy: World) -> None:
    busy.halton.time_zone = "America/Vancouver"
    busy.halton.save()
    send_round(busy)
    assert "(times in PST)" in _mail_to("partner@halton.example").body


def test_the_ledger_records_who_got_what(busy: World) -> None:
    send_round(busy)
    with scope(tenant=busy.halton):
        rows = {d.recipient: d for d in DigestDelivery.objects.all()}
    assert rows[user_key(busy.partner.pk)].status == DeliveryStatus.SENT
    assert rows[user_key(busy.partner.pk)].table_count == 2
    assert rows[user_key(busy.member.pk)].status == DeliveryStatus.EMPTY
    assert rows[contact_key("intake@youth.example")].status == DeliveryStatus.SENT
    assert user_key(busy.outsider.pk) not in rows


def test_nothing_changed_means_no_email(busy: World) -> None:
    send_round(busy)
    mail.outbox.clear()
    send_round(busy, now=timezone.now() + timedelta(days=7))
    assert mail.outbox == []
    with scope(tenant=busy.halton):
        latest = DigestDelivery.objects.filter(period__endswith=_next_week(busy)).values_list(
            "status", flat=True
        )
        assert set(latest) == {DeliveryStatus.EMPTY}


def test_the_next_digest_covers_only_what_came_after(busy: World) -> None:
    send_round(busy)
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=7)
    happenings(busy, busy.table, "Later")
    send_round(busy, now=later)
    text = _mail_to("partner@halton.example").body
    assert "Later new action" in text
    assert "Youth new action" not in text


def test_a_contact_listed_by_two_organizations_gets_one_digest(busy: World) -> None:
    contact(busy, busy.police_org, "INTAKE@youth.example", name="Same desk")
    send_round(busy)
    assert len([m for m in mail.outbox if m.to[0].lower() == "intake@youth.example"]) == 1


def test_a_contact_who_is_also_a_member_gets_the_member_digest_only(busy: World) -> None:
    contact(busy, busy.police_org, "partner@halton.example", name="Partner again")
    send_round(busy)
    messages = [m for m in mail.outbox if m.to == ["partner@halton.example"]]
    assert len(messages) == 1
    assert "IPV new action" in messages[0].body  # the member's digest, with members-only work


def _next_week(world: World) -> str:
    from engagement.services.digests import period_keys

    return period_keys(tenant=world.halton, when=timezone.now() + timedelta(days=7))[0]
