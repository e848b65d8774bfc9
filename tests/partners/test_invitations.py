"""Invitations: the only way in. Each refusal asserts what was and was not created."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cswb.models import ActivityEvent, TenantMembership, TenantRole, User
from partners.models import Invitation, InvitationStatus
from partners.services.invitations import (
    invitation_accept_as_new_user,
    invitation_email_send,
    invitation_resend,
    invitation_revoke,
    invitation_token_hash,
)

from ..conftest import World
from ..factories import PASSWORD, InvitationFactory, UserFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[\w-]+/)", message.body).group(1)


def _invite(world: World, email: str = "newcomer@example.org", role=TenantRole.MEMBER):
    return InvitationFactory(tenant=world.halton, email=email, role=role, invited_by=world.admin)


def _memberships_of(world: World, email: str) -> list[TenantMembership]:
    with scope(tenant=world.halton):
        return list(TenantMembership.objects.filter(user__email__iexact=email, is_active=True))


def _expire(invitation: Invitation) -> None:
    with scope(tenant=invitation.tenant):
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())


def _accept_new(client, url: str, **overrides):
    data = {"full_name": "Nadia Newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post(url, {**data, **overrides})


class TestSending:
    def test_admin_invites_from_the_page_and_the_email_goes_out(
        self, world: World, client_for, django_capture_on_commit_callbacks
    ) -> None:
        url = reverse("partners:invitations", args=["halton"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("admin").post(
                url, {"email": "New.Person@Example.org", "role": "leadership"}
            )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            invitation = Invitation.objects.get()
            event = ActivityEvent.objects.get(verb="invitation.sent")
        assert invitation.email == "new.person@example.org"
        assert invitation.role == TenantRole.LEADERSHIP
        assert invitation.status == InvitationStatus.PENDING
        assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
        assert event.actor == world.admin

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new.person@example.org"]
        assert message.subject == "You are invited to Halton Region on the CSWB Portal"
        html = message.alternatives[0][0]
        link = _link(message)
        assert f"http://testserver{link}" in html
        token = link.rsplit("/", 2)[-2]
        assert token not in invitation.token_hash  # only the digest is stored
        assert invitation_token_hash(token) == invitation.token_hash

    def test_an_existing_member_is_not_invited_again(self, world: World, client_for) -> None:
        response = client_for("admin").post(
            reverse("partners:invitations", args=["halton"]),
            {"email": "MEMBER@halton.example", "role": "member"},
        )
        assert response.status_code == 400
        assert "already a member of Halton Region" in response.content.decode()
        with scope(tenant=world.halton):
            assert not Invitation.objects.exists()

    def test_a_pending_invitation_is_not_doubled(self, world: World) -> None:
        _invite(world)
        with pytest.raises(ValidationError, match="already has a pending invitation"):
            _invite(world, email="NEWCOMER@example.org")
        with scope(tenant=world.halton):
            assert Invitation.objects.count() == 1

    def test_an_expired_invitation_is_replaced(self, world: World) -> None:
        old = _invite(world)
        _expire(old)
        new = _invite(world)
        old.refresh_from_db()
        assert old.status == InvitationStatus.REVOKED
        assert new.status == InvitationStatus.PENDING

    def test_bad_input_changes_nothing(self, world: World, client_for) -> None:
        response = client_for("admin").post(
            reverse("partners:invitations", args=["halton"]),
            {"email": "not-an-address", "role": "owner"},
        )
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"email", "role"}
        with scope(tenant=world.halton):
            assert not Invitation.objects.exists()

    def test_the_same_address_may_be_invited_by_two_plans(self, world: World) -> None:
        _invite(world)
        InvitationFactory(tenant=world.lakeshore, email="newcomer@example.org")


class TestAcceptingAsANewPerson:
    def test_account_membership_and_acceptance_are_created_together(
        self, world: World, client
    ) -> None:
        invitation = _invite(world, role=TenantRole.LEADERSHIP)
        url = reverse("invitation-accept", args=[invitation.token])
        page = client.get(url)
        assert page.status_code == 200
        assert b"Amira" not in page.content  # the inviter is the world's admin
        assert b"Halton Region" in page.content

        response = _accept_new(client, url)
        assert response.status_code == 302
        assert response["Location"] == "/halton/"
        user = User.objects.get(email="newcomer@example.org")
        assert user.full_name == "Nadia Newcomer"
        assert user.check_password(NEW_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
        [membership] = _memberships_of(world, "newcomer@example.org")
        assert membership.role == TenantRole.LEADERSHIP
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.ACCEPTED
        assert invitation.accepted_by == user
        assert client.get("/halton/").status_code == 200  # signed in

    def test_a_weak_or_mismatched_password_creates_nothing(self, world: World, client) -> None:
        invitation = _invite(world)
        url = reverse("invitation-accept", args=[invitation.token])
        assert _accept_new(client, url, password2="something-else-entirely").status_code == 400
        weak = _accept_new(client, url, password1="password", password2="password")
        assert weak.status_code == 400
        assert "password1" in weak.context["form"].errors
        assert not User.objects.filter(email="newcomer@example.org").exists()
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.PENDING


class TestAcceptingAsAnExistingPerson:
    def test_sign_in_then_accept(self, world: World, client) -> None:
        person = UserFactory(email="elsewhere@example.org")
        invitation = _invite(world, email="Elsewhere@Example.org")
        url = reverse("invitation-accept", args=[invitation.token])

        page = client.get(url)
        assert b"Sign in to accept" in page.content
        assert f"next={url}" in page.context["login_url"]
        assert _memberships_of(world, person.email) == []

        client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
        confirm = client.get(url)
        assert b"Join Halton Region" in confirm.content
        assert _memberships_of(world, person.email) == []  # a GET changes nothing

        assert client.post(url)["Location"] == "/halton/"
        assert len(_memberships_of(world, person.email)) == 1

    def test_the_wrong_signed_in_person_gets_nothing(self, world: World, client_for) -> None:
        invitation = _invite(world)
        response = client_for("outsider").post(
            reverse("invitation-accept", args=[invitation.token])
        )
        assert response.status_code == 403
        assert b"outsider@lakeshore.example" in response.content
        assert _memberships_of(world, "outsider@lakeshore.example") == []
        assert not User.objects.filter(email="newcomer@example.org").exists()
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.PENDING


class TestUnusableLinks:
    def _assert_nothing_created(self, world: World, invitation: Invitation | None = None) -> None:
        assert not User.objects.filter(email="newcomer@example.org").exists()
        assert _memberships_of(world, "newcomer@example.org") == []

    def test_expired(self, world: World, client) -> None:
        invitation = _invite(world)
        _expire(invitation)
        url = reverse("invitation-accept", args=[invitation.token])
        response = _accept_new(client, url)
        assert response.status_code == 410
        assert b"This invitation has expired" in response.content
        self._assert_nothing_created(world)

    def test_revoked(self, world: World, client) -> None:
        with scope(tenant=world.halton):
            invitation = _invite(world)
            invitation_revoke(invitation=invitation, actor=world.admin)
            response = _accept_new(client, reverse("invitation-accept", args=[invitation.token]))
            assert response.status_code == 410
            assert b"withdrawn" in response.content
            self._assert_nothing_created(world)

    def test_reused(self, world: World, client) -> None:
        invitation = _invite(world)
        url = reverse("invitation-accept", args=[invitation.token])
        assert _accept_new(client, url).status_code == 302
        client.logout()
        again = _accept_new(client, url, full_name="Someone Else")
        assert again.status_code == 410
        assert b"already been used" in again.content
        assert User.objects.get(email="newcomer@example.org").full_name == "Nadia Newcomer"

    @pytest.mark.parametrize("mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
                                        lambda t: t[:20], lambda t: "x" * 43])  # fmt: skip
    def test_tampered(self, world: World, client, mangle) -> None:
        invitation = _invite(world)
        response = _accept_new(
            client, reverse("invitation-accept", args=[mangle(invitation.token)])
        )
        assert response.status_code == 404
        assert b"This invitation link is not valid" in response.content
        self._assert_nothing_created(world)

    def test_of_an_inactive_plan(self, world: World, client) -> None:
        invitation = _invite(world)
        world.halton.is_active = False
        world.halton.save(update_fields=["is_active"])
        response = client.get(reverse("invitation-accept", args=[invitation.token]))
        assert response.status_code == 404


class TestResendAndRevoke:
    def test_resend_gives_a_fresh_link_and_kills_the_old_one(
        self, world: World, client_for, client, django_capture_on_commit_callbacks
    ) -> None:
        invitation = _invite(world)
        old_url = reverse("invitation-accept", args=[invitation.token])
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("admin").post(
                reverse("partners:invitation-resend", args=["halton", invitation.pk])
            )
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.send_count == 2
        assert client.get(old_url).status_code == 404
        new_url = _link(mail.outbox[-1])
        assert new_url != old_url
        assert client.get(new_url).status_code == 200

    def test_a_stale_queued_email_is_not_sent(self, world: World) -> None:
        with scope(tenant=world.halton):
            invitation = _invite(world)
            invitation_resend(invitation=invitation, actor=world.admin)
            mail.outbox.clear()
            with scope(tenant=world.halton):
                sent = invitation_email_send(invitation_id=invitation.pk, token=invitation.token)
            assert sent is False
            assert mail.outbox == []

    def test_revoke_asks_first(self, world: World, client_for) -> None:
        invitation = _invite(world)
        url = reverse("partners:invitation-revoke", args=["halton", invitation.pk])
        admin = client_for("admin")
        page = admin.get(url)
        assert b"Revoke this invitation?" in page.content
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.PENDING
        assert admin.post(url).status_code == 302
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.REVOKED
        with scope(tenant=world.halton):
            assert ActivityEvent.objects.filter(verb="invitation.revoked").count() == 1

    def test_an_accepted_invitation_cannot_be_revoked_or_resent(self, world: World) -> None:
        with scope(tenant=world.halton):
            invitation = _invite(world)
            invitation_accept_as_new_user(
                invitation=invitation, full_name="N", password=NEW_PASSWORD
            )
            with pytest.raises(ValidationError):
                invitation_revoke(invitation=invitation, actor=world.admin)
            with pytest.raises(ValidationError):
                invitation_resend(invitation=invitation, actor=world.admin)

    def test_another_tenants_invitation_is_not_found(self, world: World, client_for) -> None:
        theirs = InvitationFactory(tenant=world.lakeshore, invited_by=world.outsider)
        admin = client_for("admin")
        assert (
            admin.get(reverse("partners:invitation-revoke", args=["halton", theirs.pk])).status_code
            == 404
        )
        assert (
            admin.post(
                reverse("partners:invitation-resend", args=["halton", theirs.pk])
            ).status_code
            == 404
        )


class TestList:
    def test_states_are_listed_and_filtered(self, world: World, client_for) -> None:
        with scope(tenant=world.halton):
            pending = _invite(world, email="pending@example.org")
            expired = _invite(world, email="expired@example.org")
            _expire(expired)
            revoked = _invite(world, email="revoked@example.org")
            invitation_revoke(invitation=revoked, actor=world.admin)
            accepted = _invite(world, email="accepted@example.org")
            invitation_accept_as_new_user(invitation=accepted, full_name="A", password=NEW_PASSWORD)
            url = reverse("partners:invitations", args=["halton"])
            admin = client_for("admin")
            statuses = {i.email: i.status for i in admin.get(url).context["invitations"]}
            assert statuses == {
                "pending@example.org": "pending",
                "expired@example.org": "expired",
                "revoked@example.org": "revoked",
                "accepted@example.org": "accepted",
            }
            for status, invitation in [("pending", pending), ("expired", expired)]:
                listed = admin.get(url, {"status": status}).context["invitations"]
                assert [i.pk for i in listed] == [invitation.pk]

    def test_query_budget_holds_as_invitations_grow(
        self, world: World, client_for, django_assert_max_num_queries
    ) -> None:
        admin = client_for("admin")
        url = reverse("partners:invitations", args=["halton"])
        admin.get(url)
        for round_ in range(2):
            for n in range(15):
                _invite(world, email=f"person{round_}-{n}@example.org")
            with django_assert_max_num_queries(10):
                assert admin.get(url).status_code == 200


def test_acceptance_is_rate_limited(world: World, client, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accept_invitation": "3/m/ip"}
    url = reverse("invitation-accept", args=["not-a-real-token"])
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert b"Too many attempts" in client.get(url).content
