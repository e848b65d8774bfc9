"""The digest pages: a member's settings and preview, the administrators' schedule, runs,
deliveries and previews; and their query budgets as data grows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django_scopes import scope

from cswb.templatetags.portal import period
from engagement.models import DeliveryStatus, DigestDelivery, DigestSchedule, Frequency
from engagement.selectors.digests import contact_key, user_key
from engagement.services.digests import digest_batch_send, frequency_for
from engagement.tasks import digest_work

from ..builders import action_build
from ..conftest import World
from .utils import busy_table, contact, happenings, send_round

pytestmark = pytest.mark.django_db


def test_a_member_chooses_how_often(world: World, client_for) -> None:
    client = client_for("partner")
    url = reverse("digest-settings", args=["halton"])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Youth mental health" in page.content
    assert b"Intimate partner violence" in page.content  # their organization sits there
    assert b"Food security" not in page.content
    response = client.post(url, {"frequency": "monthly"}, follow=True)
    assert b"Saved: digests monthly." in response.content
    with scope(tenant=world.halton):
        assert frequency_for(tenant=world.halton, recipient=user_key(world.partner.pk)) == (
            Frequency.MONTHLY
        )
    bad = client.post(url, {"frequency": "daily"})
    assert bad.status_code == 400
    assert b"Select a valid choice" in bad.content


def test_a_member_previews_their_digest(world: World, client_for) -> None:
    happenings(world, world.ipv, "IPV")
    client = client_for("partner")
    page = client.get(reverse("digest-preview", args=["halton"]))
    assert page.status_code == 200
    # A member sees the subject line in words, not the email's raw headers.
    assert b"List-Unsubscribe" not in page.content
    assert "Subject: <strong>" in page.content.decode()
    assert b"IPV new action" in page.content  # the plain-text part
    frame = client.get(reverse("digest-preview-html", args=["halton"]))
    assert frame.status_code == 200
    assert b"IPV new action" in frame.content
    policy = frame["Content-Security-Policy"]
    assert "'unsafe-hashes'" in policy and "'sha256-" in policy and "sandbox" in policy
    assert "unsafe-inline" not in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    # Leadership does not read the members-only table's work in their preview.
    assert (
        b"IPV new action"
        not in client_for("leader").get(reverse("digest-preview", args=["halton"])).content
    )


def test_user_written_text_is_escaped_in_the_email(world: World, client_for) -> None:
    action_build(world.table, actor=world.admin, title="<script>alert(1)</script>")
    frame = client_for("coordinator").get(reverse("digest-preview-html", args=["halton"]))
    assert b"<script>alert(1)</script>" not in frame.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in frame.content


PLANTED = (
    '<div hx-post="/halton/manage/members/4/role/" hx-vals=\'{"role":"admin"}\' '
    'hx-trigger="load">Q3 pantry report</div>'
)


def test_the_plain_text_part_is_escaped_in_both_previews(world: World, client_for) -> None:
    """A partner's action title carried hx-* attributes into the admin's preview, where the
    page's own htmx posted a role change with the admin's session (issue: digest previews)."""
    from tables.services.actions import action_create, action_update

    with scope(tenant=world.halton):
        done = action_create(table=world.table, title=PLANTED, actor=world.partner)
        action_update(action=done, actor=world.partner, status="in_progress", text="")
        action_update(action=done, actor=world.partner, status="done", text=PLANTED)
    pages = [
        client_for("coordinator").get(reverse("digest-preview", args=["halton"])),
        client_for("admin").get(
            reverse("manage:digest-preview", args=["halton"]), {"email": world.partner.email}
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "Q3 pantry report" in html  # the action is in the digest
        assert "<div hx-post" not in html
        assert "&lt;div hx-post=&quot;/halton/manage/members/4/role/&quot;" in html
        # Defence in depth: the text part sits in a container where htmx does nothing.
        pre = re.search(r"<details[^>]*>\s*<summary>[^<]*</summary>\s*<pre", html)
        assert pre and "hx-disable" in pre.group(0)


def test_the_email_text_part_is_plain_text(world: World) -> None:
    """render_to_string marks its result safe; a text part must not carry that mark into a
    page that shows it."""
    from django.utils.safestring import SafeData

    from cswb.emails import email_build

    message = email_build(
        template="invitation", to=["a@example.org"], context={"tenant": world.halton}
    )
    assert not isinstance(message.body, SafeData)


def test_admins_set_the_schedule(world: World, client_for) -> None:
    client = client_for("admin")
    url = reverse("manage:digests", args=["halton"])
    assert b"No digests have gone out yet" in client.get(url).content
    response = client.post(url, {"weekday": "4", "hour": "15", "is_enabled": "on"}, follow=True)
    assert b"Digest schedule saved." in response.content
    with scope(tenant=world.halton):
        schedule = DigestSchedule.objects.get()
        assert (schedule.weekday, schedule.hour, schedule.is_enabled) == (4, 15, True)
    bad = client.post(url, {"weekday": "9", "hour": "25"})
    assert bad.status_code == 400
    with scope(tenant=world.halton):
        assert DigestSchedule.objects.get().hour == 15


def test_admins_see_runs_deliveries_and_any_recipient(world: World, client_for) -> None:
    happenings(world, world.table, "Youth")
    contact(world, world.youth_org, "intake@youth.example")
    send_round(world)
    with scope(tenant=world.halton):
        DigestDelivery.objects.filter(email="leader@halton.example").update(
            status=DeliveryStatus.FAILED, last_error="SMTPDataError: (554, b'Rejected')"
        )
        run = DigestDelivery.objects.first().run
    client = client_for("admin")
    runs = client.get(reverse("manage:digests", args=["halton"]))
    assert capfirst(period(run.week)).encode() in runs.content  # "The week of 23 …"
    assert run.week.encode() not in runs.content
    page = client.get(reverse("manage:digest-run", args=["halton", run.pk]))
    assert b"partner@halton.example" in page.content
    assert b"Skipped: nothing to report" in page.content  # the member follows no table
    failed = client.get(reverse("manage:digest-run", args=["halton", run.pk]) + "?status=failed")
    assert b"leader@halton.example" in failed.content
    assert b"554" in failed.content
    assert b"partner@halton.example" not in failed.content
    bogus = client.get(reverse("manage:digest-run", args=["halton", run.pk]) + "?status=lost")
    assert bogus.status_code == 400
    assert b"Select a valid choice" in bogus.content

    happenings(world, world.table, "Later")  # the preview covers what came after the last
    preview = reverse("manage:digest-preview", args=["halton"])
    by_email = client.get(preview, {"email": "intake@youth.example"})
    assert by_email.status_code == 200
    assert b"Later new action" in by_email.content
    assert b"Youth new action" not in by_email.content
    assert b"List-Unsubscribe-Post" in by_email.content  # administrators see the headers
    assert contact_key("intake@youth.example").encode() in by_email.content  # the frame's address
    by_key = client.get(preview, {"recipient": user_key(world.partner.pk)})
    assert b"Later new action" in by_key.content
    frame = client.get(
        reverse("manage:digest-preview-html", args=["halton"]),
        {"recipient": contact_key("intake@youth.example")},
    )
    assert b"digest contact of your organization" in frame.content
    unknown = client.get(preview, {"email": "nobody@example.org"})
    assert unknown.status_code == 400
    assert b"Nobody with this address receives" in unknown.content
    outsider = client.get(preview, {"recipient": user_key(world.outsider.pk)})
    assert outsider.status_code == 404  # another plan's person is nobody here


# -- query budgets -----------------------------------------------------------------------------


def _grow(world: World, round_: int) -> None:
    """More tables followed, more recipients, more activity, and another week's run."""
    with scope(tenant=world.halton):
        for n in range(3):
            busy_table(world, f"Extra {round_}-{n}", world.youth_org)
            contact(world, world.youth_org, f"desk{round_}{n}@youth.example")
    send_round(world, now=timezone.now() + timezone.timedelta(days=7 * (round_ + 1)))


DIGEST_PAGES = [
    ("partner", lambda w: reverse("digest-settings", args=["halton"]), 15),
    # The previews also read the plan's recommendations (one query, the rest only when any).
    ("partner", lambda w: reverse("digest-preview", args=["halton"]), 24),
    ("admin", lambda w: reverse("manage:digests", args=["halton"]), 11),
    ("admin", lambda w: reverse("manage:digest-run", args=["halton", w.run_pk]), 12),
    (
        "admin",
        lambda w: (
            reverse("manage:digest-preview", args=["halton"])
            + f"?recipient={contact_key('intake@youth.example')}"
        ),
        23,
    ),
]


@pytest.mark.parametrize(
    ("role", "url", "budget"),
    DIGEST_PAGES,
    ids=["settings", "preview", "runs", "run", "admin-preview"],
)
def test_digest_pages_keep_their_budget(
    world: World, client_for, django_assert_max_num_queries, role, url, budget
) -> None:
    happenings(world, world.table, "Youth")
    contact(world, world.youth_org, "intake@youth.example")
    send_round(world)
    with scope(tenant=world.halton):
        world.run_pk = DigestDelivery.objects.latest("pk").run_id
    client = client_for(role)
    address = url(world)
    client.get(address)  # warm the session
    for round_ in range(2):
        _grow(world, round_)
        with django_assert_max_num_queries(budget):
            assert client.get(address).status_code == 200


def test_a_batch_reads_the_same_whatever_its_size(world: World, sink) -> None:
    """Per batch: a fixed number of reads however many recipients and tables it spans, and
    two writes per recipient (the claim before sending, the mark after)."""
    counts = []
    for size, tables in [(3, 1), (24, 5)]:
        with scope(tenant=world.halton):
            for n in range(tables):
                busy_table(world, f"T{size}-{n}", world.police_org)
            for n in range(size):
                contact(world, world.police_org, f"d{size}-{n}@police.example")
        now = timezone.now()
        [(_, ids)] = digest_work(
            now=now, tenants=[world.halton], force=True
        )  # a new week each time: the ledger is per period
        ids = [pk for pk in ids if _is_contact(world, pk, size)]
        with scope(tenant=world.halton), CaptureQueriesContext(connection) as queries:
            result = digest_batch_send(tenant=world.halton, delivery_ids=ids, now=now)
        assert result.sent == size
        reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        writes = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert len(writes) == 2 * size
        counts.append(len(reads))
        with scope(tenant=world.halton):  # the next round plans a fresh period for everyone
            DigestDelivery.objects.all().delete()
            from engagement.models import DigestRun

            DigestRun.objects.all().delete()
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20


def _is_contact(world: World, pk: int, size: int) -> bool:
    with scope(tenant=world.halton):
        return DigestDelivery.objects.get(pk=pk).email.startswith(f"d{size}-")


def test_a_past_digest_can_be_opened_by_its_reader_and_admins_only(
    world: World, client_for
) -> None:
    happenings(world, world.table, "Youth")
    send_round(world)
    with scope(tenant=world.halton):
        mine = DigestDelivery.objects.get(email="partner@halton.example")
        theirs = DigestDelivery.objects.get(email="coordinator@halton.example")
    partner = client_for("partner")
    settings_page = partner.get(reverse("digest-settings", args=["halton"]))
    assert f"?delivery={mine.pk}".encode() in settings_page.content
    preview = reverse("digest-preview", args=["halton"])
    assert b"Youth new action" not in partner.get(preview).content  # nothing new since
    past = partner.get(preview, {"delivery": mine.pk})
    assert b"Youth new action" in past.content
    assert period(mine.period).encode() in past.content
    assert mine.period.encode() not in past.content
    frame = partner.get(reverse("digest-preview-html", args=["halton"]), {"delivery": mine.pk})
    assert b"Youth new action" in frame.content
    assert partner.get(preview, {"delivery": theirs.pk}).status_code == 404
    assert partner.get(preview, {"delivery": "x"}).status_code == 404
    admin = client_for("admin")
    run_page = admin.get(reverse("manage:digest-run", args=["halton", mine.run_id]))
    assert f"delivery={mine.pk}".encode() in run_page.content
    by_admin = admin.get(
        reverse("manage:digest-preview", args=["halton"]),
        {"recipient": user_key(world.partner.pk), "delivery": mine.pk},
    )
    assert b"Youth new action" in by_admin.content
