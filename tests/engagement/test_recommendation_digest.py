"""The digests' recommendations section: what moved since the recipient's last digest, for
every recipient (members and digest contacts), naming no action of a members-only table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope

from engagement.services.recommendations import (
    plan_action_create,
    plan_action_update,
    recommendation_update,
)
from tables.services.actions import action_update

from ..builders import action_build, recommendation_build
from ..conftest import World
from .utils import contact, send_round

pytestmark = pytest.mark.django_db


def _digests() -> dict[str, tuple[str, str, str]]:
    found = {m.to[0]: (m.subject, m.body, m.alternatives[0][0]) for m in mail.outbox}
    mail.outbox.clear()
    return found


def test_the_section_shows_what_moved_since_the_last_digest(world: World) -> None:
    admin = world.admin
    contact(world, world.youth_org, "intake@youth.example")
    published = action_build(world.table, actor=admin, title="Publish quarterly progress")
    secret = action_build(world.ipv, actor=admin, title="Safety plan protocol")
    first = recommendation_build(
        world.halton, actor=admin, number=1, actions=[(published, 1)],
        title="Communication and transparency on progress",
    )  # fmt: skip
    second = recommendation_build(
        world.halton, actor=admin, number=2, actions=[(secret, 1)],
        title="Lived experience in decisions",
    )  # fmt: skip
    third = recommendation_build(world.halton, actor=admin, number=3, title="Diverse membership")
    with scope(tenant=world.halton):
        report = plan_action_create(recommendation=second, actor=admin, title="Annual report")
        action_update(action=published, actor=admin, status="done")

    send_round(world, now=timezone.now())
    round_one = _digests()
    # Everyone gets the section, the plain member (at no table) and the contact included.
    for address in ("member@halton.example", "intake@youth.example", "leader@halton.example"):
        _, text, html = round_one[address]
        assert "Recommendations that moved" in text and "Recommendations that moved" in html
        assert "1. Communication and transparency on progress" in html
        assert "0% → 100%" in text and "Done" in text
        assert "Lived experience in decisions" not in text  # linked, but nothing moved
    assert "at 0 table" not in round_one["member@halton.example"][0]

    # Since then: the plan's own action is done, and the staff set the third one's percent.
    with scope(tenant=world.halton):
        plan_action_update(plan_action=report, actor=admin, title=report.title, status="done")
        recommendation_update(recommendation=third, actor=admin, percent=25, status="in_progress")
    send_round(world, now=timezone.now() + timedelta(days=8))
    round_two = _digests()
    for address in ("member@halton.example", "intake@youth.example", "partner@halton.example"):
        _, text, html = round_two[address]
        assert "Communication and transparency" not in text  # it moved before the last one
        assert "2. Lived experience in decisions" in text
        assert "0% → 50%" in text and "done: Annual report" in text
        assert "3. Diverse membership" in text and "0% → 25%" in text
        # The members-only table's action is counted, never named.
        assert "Safety plan protocol" not in text and "Safety plan protocol" not in html
    assert first.pk and secret.pk


def test_no_movement_no_section(world: World) -> None:
    action = action_build(world.table, actor=world.admin, title="Publish quarterly progress")
    recommendation_build(world.halton, actor=world.admin, number=1, actions=[(action, 1)])
    send_round(world, now=timezone.now())
    assert "Recommendations that moved" not in "".join(b for _, b, _ in _digests().values())


def test_the_section_reads_the_same_for_one_window_or_many(world: World) -> None:
    """A batch's recipients have windows of their own; the recommendations and their history
    are read once for all of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagement.selectors.digests import DigestBuilder, recipients_for_tenant

    action = action_build(world.table, actor=world.admin, title="Publish quarterly progress")
    recommendation_build(world.halton, actor=world.admin, number=1, actions=[(action, 1)])
    with scope(tenant=world.halton):
        action_update(action=action, actor=world.admin, status="in_progress")
        recipients = recipients_for_tenant(tenant=world.halton)
        now = timezone.now()
        counts = []
        for spread in (1, len(recipients)):
            windows = {
                r.key: (now - timedelta(days=7 + n % spread), now + timedelta(seconds=1))
                for n, r in enumerate(recipients)
            }
            with CaptureQueriesContext(connection) as queries:
                builder = DigestBuilder(tenant=world.halton, recipients=recipients, windows=windows)
                digests = [builder.digest_for(r) for r in recipients]
            counts.append(len(queries))
            assert all("0% → 50%" in str(d.sections[0].recommendations[0].detail) for d in digests)
    assert len(recipients) > 3 and counts[0] == counts[1]
