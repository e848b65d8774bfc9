"""One shared world for every test: two tenants, and in the first an admin, a leader, a
coordinator, a partner staff member and a plain member; the outsider administers the second
tenant only. In Halton the coordinator runs two tables, "Youth mental health" (open to the
plan) and "Intimate partner violence" (members only), at both of which the partner's
organization sits; "Food security" has neither of them. Tests that need more build on top."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django_scopes import scope

from cswb.models import Tenant, TenantRole, User
from partners.models import Organization, OrgRole, Sector
from partners.services.organizations import organization_create, organization_staff_add
from tables.models import ActionTable, ParticipationRole, SeatRole, Visibility, Zone
from tables.services.seats import table_organization_add, table_seat_add
from tables.services.tables import table_create

from .factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory

ROLES = ("admin", "leader", "coordinator", "partner", "member", "outsider")


@dataclass
class World:
    halton: Tenant
    lakeshore: Tenant
    admin: User
    leader: User
    coordinator: User
    partner: User
    member: User
    outsider: User
    youth_org: Organization
    police_org: Organization
    table: ActionTable
    ipv: ActionTable
    food: ActionTable
    lakeshore_table: ActionTable
    password: str = PASSWORD

    def user(self, role: str) -> User:
        return getattr(self, role)


def build_world() -> World:
    halton = TenantFactory(slug="halton", name="Halton Region")
    lakeshore = TenantFactory(slug="lakeshore", name="Lakeshore")
    people = {}
    for role, tenant_role in [
        ("admin", TenantRole.ADMIN),
        ("leader", TenantRole.LEADERSHIP),
        ("coordinator", TenantRole.MEMBER),
        ("partner", TenantRole.MEMBER),
        ("member", TenantRole.MEMBER),
    ]:
        people[role] = UserFactory(email=f"{role}@halton.example")
        MembershipFactory(tenant=halton, user=people[role], role=tenant_role)
    outsider = UserFactory(email="outsider@lakeshore.example")
    MembershipFactory(tenant=lakeshore, user=outsider, role=TenantRole.ADMIN)

    admin = people["admin"]
    with scope(tenant=halton):
        youth_org = organization_create(
            tenant=halton, name="Halton Youth Services", sector=Sector.CHILDREN_YOUTH, actor=admin
        )
        police_org = organization_create(
            tenant=halton, name="Halton Police", sector=Sector.POLICE, actor=admin
        )
        organization_staff_add(
            organization=youth_org, user=people["partner"], role=OrgRole.STAFF, actor=admin
        )
        table = table_create(
            tenant=halton, name="Youth mental health", zone=Zone.PREVENTION, actor=admin
        )
        ipv = table_create(
            tenant=halton,
            name="Intimate partner violence",
            zone=Zone.RISK_INTERVENTION,
            visibility=Visibility.MEMBERS,
            actor=admin,
        )
        food = table_create(
            tenant=halton, name="Food security", zone=Zone.SOCIAL_DEVELOPMENT, actor=admin
        )
        for each in (table, ipv):
            table_seat_add(
                table=each, user=people["coordinator"], role=SeatRole.COORDINATOR, actor=admin
            )
            table_organization_add(
                table=each, organization=youth_org, role=ParticipationRole.MEMBER, actor=admin
            )
        table_organization_add(
            table=table, organization=police_org, role=ParticipationRole.LEAD, actor=admin
        )
    with scope(tenant=lakeshore):
        lakeshore_table = table_create(
            tenant=lakeshore, name="Youth mental health", zone=Zone.PREVENTION, actor=outsider
        )
    return World(
        halton=halton,
        lakeshore=lakeshore,
        outsider=outsider,
        youth_org=youth_org,
        police_org=police_org,
        table=table,
        ipv=ipv,
        food=food,
        lakeshore_table=lakeshore_table,
        **people,
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client_for(world: World):
    """A logged-in test client for a role of the world, or an anonymous one for None."""

    def make(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(world.user(role))
        return client

    return make


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is the real Redis, shared across tests: rate-limit counters must not carry over.
    cache.clear()
    yield
    cache.clear()


def _start_worker(extra_env: dict[str, str] | None = None):
    """Start a real Celery worker process on the test broker and database; returns once it
    answers a ping. Its output goes to a temporary file (a pipe nobody reads would fill up
    and stall it)."""
    import os
    import subprocess
    import sys
    import tempfile
    import time

    from django.conf import settings
    from django.db import connection

    from cswb.celery import app

    db = connection.settings_dict
    env = {
        **{key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "cswb.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "TEST_BROKER_URL": settings.CELERY_BROKER_URL,
        "TEST_CACHE_URL": settings.CACHES["default"]["LOCATION"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **(extra_env or {}),
    }
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by _stop_worker
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cswb",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname=test{time.monotonic_ns()}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker.log = log
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            log.seek(0)
            raise RuntimeError(f"the Celery worker did not start:\n{log.read()}")
    return worker


def _stop_worker(worker) -> None:
    import subprocess

    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    worker.log.close()


@pytest.fixture
def celery_workers(transactional_db: None):
    """Start real Celery workers (`start(env)`), all stopped at the end. Tests that use them
    see only committed data, hence the transactional database; their tasks go to the
    workers, not run in the test process."""
    from cswb.celery import app

    app.control.purge()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    started: list = []

    def start(extra_env: dict[str, str] | None = None):
        worker = _start_worker(extra_env)
        started.append(worker)
        return worker

    yield start
    app.conf.task_always_eager = eager
    for worker in started:
        _stop_worker(worker)
    app.control.purge()


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real Celery worker in its own process, on the test broker and the test database."""
    return celery_workers()


@dataclass
class SmtpSink:
    """Messages received by a real SMTP server on this machine."""

    host: str
    port: int
    messages: list


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend pointed
    at it: email tests exercise the same path as production."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.content, policy=policy.default)
            received.append((envelope.rcpt_tos, message))
            return "250 OK"

    with socket.socket() as probe:  # a free port; aiosmtpd checks its own port on start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield SmtpSink(host="127.0.0.1", port=settings.EMAIL_PORT, messages=received)
    finally:
        controller.stop()
