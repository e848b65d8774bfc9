"""Demo data for `make run`: two tenants and one person for each role. Idempotent."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_scopes import scope

from cswb.demo import demo_steps
from cswb.models import Tenant, TenantMembership, TenantRole, User
from cswb.services import membership_create, tenant_create
from partners.models import Invitation
from partners.services.invitations import invitation_create
from tables.demo import (
    demo_actions_seed,
    demo_contacts_seed,
    demo_measures_seed,
    demo_meetings_seed,
    demo_tables_seed,
)

DEMO_PASSWORD = "demo-cswb-portal"  # noqa: S105 -- published on purpose, demo only

TENANTS = [
    ("halton", "Halton Region (demo)"),
    ("lakeshore", "Lakeshore (demo)"),
]

PEOPLE = [
    # email, full name, tenant slug, tenant role, what they stand for in the demo
    ("admin@halton.example", "Amira Haddad", "halton", TenantRole.ADMIN, "plan administrator"),
    ("leader@halton.example", "Louis Tremblay", "halton", TenantRole.LEADERSHIP, "leadership"),
    ("coordinator@halton.example", "Chloé Martin", "halton", TenantRole.MEMBER,
     "coordinator of two tables"),
    ("partner@halton.example", "Priya Natarajan", "halton", TenantRole.MEMBER,
     "partner staff (Oakridge Community Services)"),
    ("member@halton.example", "Marcus Green", "halton", TenantRole.MEMBER,
     "member, lived-experience advisor"),
    ("outsider@lakeshore.example", "Olivia Chen", "lakeshore", TenantRole.ADMIN,
     "administrator of Lakeshore only"),
]  # fmt: skip


# Invited, not yet accepted: the invitations page has something to show.
PENDING_INVITATION = "newcomer@halton.example"


class Command(BaseCommand):
    help = "Create the demo tenants and people (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even when DEBUG is off (never in production).",
        )

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run when "
                "DEBUG is off. Pass --force if this really is a demo site."
            )
        with transaction.atomic():
            tenants = {slug: self._tenant(slug, name) for slug, name in TENANTS}
            people = {}
            for email, full_name, slug, role, _ in PEOPLE:
                people[email] = self._user(email, full_name)
                self._membership(tenants[slug], people[email], role)
            demo_tables_seed(
                halton=tenants["halton"], lakeshore=tenants["lakeshore"], people=people
            )
            demo_actions_seed(halton=tenants["halton"], admin=people["admin@halton.example"])
            demo_meetings_seed(halton=tenants["halton"], admin=people["admin@halton.example"])
            demo_measures_seed(halton=tenants["halton"], admin=people["admin@halton.example"])
            demo_contacts_seed(halton=tenants["halton"], admin=people["admin@halton.example"])
            for step in demo_steps():  # the apps above tables: engagement, ...
                step(halton=tenants["halton"], lakeshore=tenants["lakeshore"], people=people)
            self._pending_invitation(tenants["halton"])
        # The indicators app's demo (real public files, imported once); named, not imported,
        # because the tables app sits below the indicators app.
        call_command("seed_demo_indicators", stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of:"))
        for email, _, slug, _, what in PEOPLE:
            self.stdout.write(f"  {email:<30} {what} ({slug})")
        self.stdout.write(f"Password for all demo accounts: {DEMO_PASSWORD}")

    def _tenant(self, slug: str, name: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        return tenant or tenant_create(slug=slug, name=name)

    def _user(self, email: str, full_name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
            user.full_name = full_name
            user.save(update_fields=["full_name"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _pending_invitation(self, tenant: Tenant) -> None:
        with scope(tenant=tenant):
            if Invitation.objects.filter(email=PENDING_INVITATION).exists():
                return
            admin = User.objects.get(email="admin@halton.example")
            invitation_create(
                tenant=tenant, email=PENDING_INVITATION, role=TenantRole.MEMBER, invited_by=admin
            )

    def _membership(self, tenant: Tenant, user: User, role: str) -> None:
        with scope(tenant=tenant):
            if TenantMembership.objects.filter(user=user, is_active=True).exists():
                return
            membership_create(tenant=tenant, user=user, role=role)
