"""Two-factor authentication with allauth: enrolment and sign-in with a TOTP code computed
here, recovery codes, the tenant policy that requires it, and password reset not bypassing it."""

from __future__ import annotations

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from cswb.models import ActivityEvent, MfaPolicy, Tenant

from ..conftest import World
from ..factories import PASSWORD


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def enrol_totp(client, email: str) -> tuple[str, list[str]]:
    """Sign in and set up an authenticator app as a person would; returns the secret and the
    recovery codes shown once."""
    sign_in(client, email)
    # Adding an authenticator asks for the password again first.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302, response.content
    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    codes = re.findall(r"\b[0-9a-f]{8}\b", codes_page.content.decode())
    return secret, codes


def test_enrol_then_sign_in_with_a_code(world: World, client) -> None:
    secret, _ = enrol_totp(client, "partner@halton.example")
    assert Authenticator.objects.filter(user=world.partner, type="totp").exists()
    client.post(reverse("account_logout"))

    response = sign_in(client, "partner@halton.example")
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session

    # A code already used is refused, so wait for the next period's code if need be.
    code = totp_now(secret)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/halton/").status_code == 200


def test_a_recovery_code_works_once(world: World, client) -> None:
    _, codes = enrol_totp(client, "member@halton.example")
    assert len(codes) == 10
    client.post(reverse("account_logout"))

    sign_in(client, "member@halton.example")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert client.get("/halton/").status_code == 200
    client.post(reverse("account_logout"))

    sign_in(client, "member@halton.example")
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_mfa_changes_are_in_the_security_log(
    world: World, client, django_capture_on_commit_callbacks
) -> None:
    # allauth announces a new authenticator once its transaction has committed.
    with django_capture_on_commit_callbacks(execute=True):
        enrol_totp(client, "coordinator@halton.example")
    with scope(tenant=world.halton):
        verbs = set(
            ActivityEvent.objects.filter(actor=world.coordinator).values_list("verb", flat=True)
        )
    assert {"auth.login", "auth.mfa_added"} <= verbs


def test_password_reset_never_bypasses_mfa(world: World, client) -> None:
    enrol_totp(client, "leader@halton.example")
    client.post(reverse("account_logout"))

    client.post(reverse("account_reset_password"), {"email": "leader@halton.example"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    new_password = "a-new-and-long-passphrase"
    client.post(form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert "_auth_user_id" not in client.session  # a reset does not sign anyone in

    response = sign_in(client, "leader@halton.example", new_password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


class TestPolicy:
    def _set(self, world: World, policy: str) -> None:
        Tenant.objects.filter(pk=world.halton.pk).update(mfa_policy=policy)

    def test_optional_by_default(self, world: World, client_for) -> None:
        assert world.halton.mfa_policy == MfaPolicy.NONE
        assert client_for("admin").get("/halton/").status_code == 200

    def test_required_for_admins_sends_them_to_set_it_up_first(self, world: World, client_for):
        self._set(world, MfaPolicy.ADMINS)
        admin = client_for("admin")
        for url in ["/halton/", "/", "/halton/manage/members/"]:
            response = admin.get(url)
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_index")
        assert admin.get(reverse("mfa_index")).status_code == 200  # can reach the set-up
        assert admin.get(reverse("mfa_activate_totp")).status_code in (200, 302)
        assert client_for("member").get("/halton/").status_code == 200

    def test_required_for_everyone(self, world: World, client_for) -> None:
        self._set(world, MfaPolicy.EVERYONE)
        assert client_for("member").get("/halton/")["Location"] == reverse("mfa_index")
        # Lakeshore does not require it of its own admin.
        assert client_for("outsider").get("/lakeshore/").status_code == 200

    def test_once_set_up_the_person_goes_on(self, world: World, client) -> None:
        self._set(world, MfaPolicy.EVERYONE)
        enrol_totp(client, "member@halton.example")
        assert client.get("/halton/").status_code == 200

    def test_admin_sets_the_policy_on_the_security_page(self, world: World, client_for) -> None:
        admin = client_for("admin")
        url = reverse("manage:security", args=["halton"])
        assert admin.post(url, {"mfa_policy": "sometimes"}).status_code == 400
        world.halton.refresh_from_db()
        assert world.halton.mfa_policy == MfaPolicy.NONE
        assert admin.post(url, {"mfa_policy": "everyone"}).status_code == 302
        world.halton.refresh_from_db()
        assert world.halton.mfa_policy == MfaPolicy.EVERYONE
        with scope(tenant=world.halton):
            assert ActivityEvent.objects.filter(verb="security.mfa_policy_changed").exists()
        # The policy applies at once, to the admin who set it too.
        assert admin.get("/halton/")["Location"] == reverse("mfa_index")
