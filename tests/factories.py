from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django_scopes import scope

from cswb.models import Tenant, TenantMembership, TenantRole, User
from cswb.services import membership_create
from partners.models import Invitation
from partners.services.invitations import invitation_create

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_CA")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        # allauth's mandatory verification: people in the world have confirmed their address.
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} Region")
    time_zone = "America/Toronto"


class MembershipFactory(factory.django.DjangoModelFactory):
    """Goes through the service, so the world has the same activity log as real use."""

    class Meta:
        model = TenantMembership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = TenantRole.MEMBER

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> TenantMembership:
        # Factories are entry points: they enter the tenant's scope; services never do.
        with scope(tenant=kwargs["tenant"]):
            return membership_create(
                tenant=kwargs["tenant"], user=kwargs["user"], role=kwargs["role"]
            )


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation made through the service; the link's secret is kept on `.token`."""

    class Meta:
        model = Invitation

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = TenantRole.MEMBER
    # One of the plan's administrators: only they may invite as anything (role ceilings).
    invited_by = factory.LazyAttribute(
        lambda o: MembershipFactory(tenant=o.tenant, role=TenantRole.ADMIN).user
    )

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Invitation:
        with scope(tenant=kwargs["tenant"]):
            invitation, token = invitation_create(
                tenant=kwargs["tenant"],
                email=kwargs["email"],
                role=kwargs["role"],
                invited_by=kwargs["invited_by"],
            )
        invitation.token = token
        return invitation
