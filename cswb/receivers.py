"""Account events from Django and allauth, recorded in each plan's activity log. Receivers only
translate a signal into one service call."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from cswb.models import User
from cswb.services import security_event_record

KIND = {"totp": "authenticator app", "webauthn": "security key", "recovery_codes": "recovery codes"}


@receiver(user_logged_in, dispatch_uid="cswb.login")
def on_login(sender, request, user: User, **kwargs) -> None:
    security_event_record(user=user, verb="auth.login", summary=f"{user.display_name} signed in")


@receiver(user_login_failed, dispatch_uid="cswb.login_failed")
def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    email = credentials.get("email") or credentials.get("username") or ""
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is not None:
        security_event_record(
            user=user,
            verb="auth.login_failed",
            summary=f"Failed sign-in for {user.display_name}",
        )


@receiver(authenticator_added, dispatch_uid="cswb.mfa_added")
def on_mfa_added(sender, request, user: User, authenticator, **kwargs) -> None:
    kind = KIND.get(authenticator.type, authenticator.type)
    security_event_record(
        user=user, verb="auth.mfa_added", summary=f"{user.display_name} added {kind}"
    )


@receiver(authenticator_removed, dispatch_uid="cswb.mfa_removed")
def on_mfa_removed(sender, request, user: User, authenticator, **kwargs) -> None:
    kind = KIND.get(authenticator.type, authenticator.type)
    security_event_record(
        user=user, verb="auth.mfa_removed", summary=f"{user.display_name} removed {kind}"
    )
