from smtplib import SMTPException

from celery import shared_task
from django_scopes import scope

from cswb.models import Tenant
from partners.services.invitations import invitation_email_send


@shared_task(
    name="partners.invitation_send_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send_email(*, tenant_id: int, invitation_id: int, token: str) -> bool:
    tenant = Tenant.objects.get(pk=tenant_id)
    with scope(tenant=tenant):
        return invitation_email_send(invitation_id=invitation_id, token=token)
