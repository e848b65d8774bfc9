"""Scoping for rows that are either shared reference data (no tenant) or one tenant's own."""

from __future__ import annotations

from django.db import models
from django_scopes import get_scope
from django_scopes.manager import DisabledQuerySet


class SharedOrTenantManager(models.Manager):
    """Like django-scopes' `ScopedManager(tenant="tenant")`, but rows without a tenant (the
    shared catalogue: Statistics Canada, PHAC, provincial series) are visible in every tenant's
    scope. Outside a scope it fails closed, as every scoped manager does; with scopes disabled
    (management commands, imports of the shared catalogue) it sees everything."""

    def get_queryset(self) -> models.QuerySet:
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        if "tenant" not in current:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes=["tenant"])
        tenant = current["tenant"]
        shared = models.Q(tenant__isnull=True)
        if tenant is None:
            return super().get_queryset().filter(shared)
        return super().get_queryset().filter(shared | models.Q(tenant=tenant))

    def all(self) -> models.QuerySet:
        qs = super().all()
        if isinstance(qs, DisabledQuerySet):
            qs = qs.all()
        return qs
