from celery import shared_task
from django.core.management import call_command


@shared_task(name="cswb.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: drop expired sessions so the session table does not grow without end."""
    call_command("clearsessions")


@shared_task(name="cswb.tasks.expire_unconfirmed_imports")
def expire_unconfirmed_imports() -> int:
    """Daily: checked imports nobody confirmed in IMPORT_CONFIRM_DAYS let their files and
    staged rows go (cswb.imports.imports_expire)."""
    from cswb.imports import imports_expire

    return imports_expire()


@shared_task(name="cswb.tasks.import_check")
def import_check(record_id: int) -> None:
    """Check every row of an uploaded file for the preview (nothing is applied)."""
    from django_scopes import scope, scopes_disabled

    from cswb.imports import import_check_run
    from cswb.models import ImportRecord, ImportState

    with scopes_disabled():
        record = ImportRecord.objects.select_related("tenant").get(pk=record_id)
    if record.state not in (ImportState.RECEIVED, ImportState.CHECKING):
        return  # a redelivered task: already checked
    with scope(tenant=record.tenant):
        import_check_run(record=record)


@shared_task(name="cswb.tasks.import_apply")
def import_apply(record_id: int) -> None:
    """Apply a confirmed import, all or nothing."""
    from django_scopes import scope, scopes_disabled

    from cswb.imports import import_apply_run
    from cswb.models import ImportRecord, ImportState

    with scopes_disabled():
        record = ImportRecord.objects.select_related("tenant", "applied_by").get(pk=record_id)
    if record.state != ImportState.APPLYING:
        return  # a redelivered task: already applied
    with scope(tenant=record.tenant):
        import_apply_run(record=record)
