"""Tenant administration of organizations under /<tenant>/manage/organizations/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from cswb.access import TenantNeed, get_tenant_for
from partners.forms.organizations import OrganizationForm
from partners.models import Sector
from partners.services import importing
from partners.services.organizations import organization_create

SESSION_KEY = "organization-import"


@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = OrganizationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(
                tenant=tenant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, f"{organization} was added.")
            return redirect(
                "partners:organization", tenant_slug=tenant.slug, org_slug=organization.slug
            )
    return render(
        request,
        "partners/manage/organization_new.html",
        {"tenant": tenant, "form": form},
        status=400 if form.errors else 200,
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 or Windows-1252, at most 1 MB. The first line names the columns.",
    )


def _mapping_form(header: list[str], data=None, initial=None) -> forms.Form:
    choices = [("", "— not in the file —")] + [
        (str(i), h or f"Column {i + 1}") for i, h in enumerate(header)
    ]
    fields = {
        key: forms.ChoiceField(label=label, choices=choices, required=(key == "name"))
        for key, label in importing.FIELDS.items()
    }
    fields["default_sector"] = forms.ChoiceField(
        label="Sector for rows without one",
        required=False,
        choices=[("", "— none: a sector is required —"), *Sector.choices],
    )
    return type("MappingForm", (forms.Form,), fields)(data=data, initial=initial)


@require_http_methods(["GET", "POST"])
def organization_import(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Upload, map the columns, preview every row's fate, then import all of it or nothing.
    The file waits in the session between the steps."""
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    context: dict[str, object] = {"tenant": tenant, "upload_form": UploadForm()}
    step = request.POST.get("step", "")

    if step == "upload":
        upload = UploadForm(request.POST, request.FILES)
        if not upload.is_valid():
            context["upload_form"] = upload
            return render(request, "partners/manage/import.html", context, status=400)
        try:
            text = importing.csv_decode(upload.cleaned_data["file"].read())
            header, _rows = importing.csv_parse(text)
        except importing.CsvProblem as problem:
            context["problem"] = str(problem)
            return render(request, "partners/manage/import.html", context, status=400)
        request.session[SESSION_KEY] = {
            "tenant": tenant.pk,
            "text": text,
            "name": upload.cleaned_data["file"].name,
        }
        mapping = _mapping_form(header, initial=importing.mapping_guess(header))
        return render(
            request,
            "partners/manage/import.html",
            {**context, "mapping": mapping, "file_name": upload.cleaned_data["file"].name},
        )

    stored = request.session.get(SESSION_KEY)
    if step in ("preview", "confirm") and stored and stored["tenant"] == tenant.pk:
        header, rows = importing.csv_parse(stored["text"])
        mapping = _mapping_form(header, data=request.POST)
        context.update(mapping=mapping, file_name=stored["name"])
        if not mapping.is_valid():
            return render(request, "partners/manage/import.html", context, status=400)
        chosen = {k: mapping.cleaned_data[k] for k in importing.FIELDS}
        plans = importing.import_plan(
            rows=rows, mapping=chosen, default_sector=mapping.cleaned_data["default_sector"]
        )
        summary = {
            fate: sum(p.fate == fate for p in plans) for fate in ("create", "duplicate", "error")
        }
        contacts = importing.digest_contacts(plans)
        context.update(plans=plans, summary=summary, digest_contacts=contacts)
        if step == "confirm" and not summary["error"]:
            send_digests = bool(contacts) and request.POST.get("contacts_receive_digests") == "yes"
            created = importing.organizations_import(
                tenant=tenant,
                plans=plans,
                actor=request.user,
                contacts_receive_digests=send_digests,
            )
            del request.session[SESSION_KEY]
            skipped = summary["duplicate"]
            said = f"Imported {created} organization{pluralize(created)}"
            if skipped:
                said += f"; skipped {skipped} already in the plan"
            if contacts:
                said += (
                    f"; {len(contacts)} contact{pluralize(len(contacts))} will receive digests"
                    if send_digests
                    else f"; {len(contacts)} contact{pluralize(len(contacts))} added without "
                    "digests"
                )
            messages.success(request, said + ".")
            return redirect("partners:organizations", tenant_slug=tenant.slug)
        return render(
            request, "partners/manage/import.html", context, status=400 if summary["error"] else 200
        )
    if step:
        context["problem"] = "The uploaded file is no longer available; upload it again."
        return render(request, "partners/manage/import.html", context, status=400)
    return render(request, "partners/manage/import.html", context)
