"""Login by email, logout, password reset and email verification through allauth; sign-up
is closed to the public."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from cswb.models import User

from ..conftest import World
from ..factories import PASSWORD, UserFactory


def _login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_with_email_and_password(world: World, client) -> None:
    response = _login(client, "admin@halton.example")
    assert response.status_code == 302
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/halton/"


def test_login_ignores_email_case(world: World, client) -> None:
    assert _login(client, "Admin@Halton.Example").status_code == 302


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(world: World, client) -> None:
    response = _login(client, "admin@halton.example", "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(world: World, client_for) -> None:
    client = client_for("member")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/halton/").status_code == 302


def test_signup_is_closed(db: None, client) -> None:
    page = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in page.content or b"closed" in page.content.lower()
    client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.org",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
        },
    )
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_password_reset_sends_a_working_link(world: World, client) -> None:
    client.post(reverse("account_reset_password"), {"email": "partner@halton.example"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["partner@halton.example"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-passphrase-2026"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    world.partner.refresh_from_db()
    assert world.partner.check_password(new_password)


def test_password_reset_for_an_unknown_address_reveals_nothing(db: None, client) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same "check your inbox" page as for a real address
    # Invite-only: nothing is mailed to an unknown address, least of all a sign-up link.
    assert mail.outbox == []


def test_an_unverified_address_must_be_confirmed_before_login(db: None, client) -> None:
    person = UserFactory(email="new@example.org", verified=False)
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    response = _login(client, "new@example.org")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert "confirm" in response["Location"]
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(
        1
    )
    client.post(link)
    assert EmailAddress.objects.get(email="new@example.org").verified


def test_login_page_offers_no_sign_up(db: None, client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in page
    assert "invite" in page
    assert 'name="remember"' not in page  # shared computers: sessions end with the browser


def test_password_reset_mail_goes_out_over_smtp(world: World, client, smtp_sink) -> None:
    client.post(reverse("account_reset_password"), {"email": "member@halton.example"})
    assert len(smtp_sink.messages) == 1
    recipients, message = smtp_sink.messages[0]
    assert recipients == ["member@halton.example"]
    assert message["Subject"] == "[CSWB Portal] Password Reset Email"
    assert message["From"] == "CSWB Portal <no-reply@cswb.example>"
    assert "/accounts/password/reset/key/" in message.get_content()
