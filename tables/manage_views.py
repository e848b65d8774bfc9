"""Tenant administration of tables under /<tenant>/manage/: onboarding and focus areas."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cswb.access import TenantNeed, get_tenant_for
from cswb.services import activity_record
from partners.models import Organization
from tables import services
from tables.models import FocusArea, Visibility, Zone


class OnboardForm(forms.Form):
    # 1. The table
    name = forms.CharField(label=_("Name of the table"), max_length=200)
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    zone = forms.ChoiceField(label=_("CSWB zone"), choices=Zone.choices, initial=Zone.PREVENTION)
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Visibility.choices)
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("System-level work only: never names or details of people at risk."),
    )
    # 2. Organizations
    lead_organization = forms.ModelChoiceField(
        label=_("Lead organization"), queryset=None, required=False
    )
    member_organizations = forms.ModelMultipleChoiceField(
        label=_("Member organizations"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    # 3. Coordinator
    coordinator_email = forms.EmailField(
        label=_("Coordinator's email"),
        help_text=_(
            "A member of the plan gets the seat at once; anyone else is invited by "
            "email and takes the seat on accepting."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.filter(is_active=True).order_by("name")
        self.fields["focus_areas"].queryset = FocusArea.objects.all()
        self.fields["lead_organization"].queryset = organizations
        self.fields["member_organizations"].queryset = organizations


@require_http_methods(["GET", "POST"])
def table_new(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = OnboardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            table, outcome = services.table_onboard(
                tenant=tenant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for key, errors in getattr(error, "message_dict", {None: error.messages}).items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        else:
            email = form.cleaned_data["coordinator_email"]
            messages.success(
                request,
                f"{table.name} was started. "
                + (
                    f"Its coordinator, {email}, has a seat."
                    if outcome == "seated"
                    else f"An invitation was sent to {email}; they take the coordinator's seat "
                    "on accepting."
                ),
            )
            return redirect("tables:detail", tenant_slug=tenant.slug, table_slug=table.slug)
    return render(
        request,
        "tables/onboard.html",
        {"tenant": tenant, "form": form},
        status=400 if form.errors else 200,
    )


class FocusAreaForm(forms.Form):
    name = forms.CharField(label=_("New focus area"), max_length=120)


@require_http_methods(["GET", "POST"])
def focus_areas(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    form = FocusAreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"].strip()
        if FocusArea.objects.filter(slug=slugify(name)).exists():
            form.add_error("name", f"“{name}” is already a focus area.")
        else:
            area = FocusArea.objects.create(
                tenant=tenant, name=name, slug=slugify(name), position=FocusArea.objects.count()
            )
            activity_record(
                tenant=tenant,
                actor=request.user,
                verb="focus_area.created",
                summary=f"Focus area “{name}” added",
                target=area,
            )
            messages.success(request, f"“{name}” was added.")
            return redirect("manage:focus-areas", tenant_slug=tenant.slug)
    areas = list(FocusArea.objects.order_by("position", "name"))
    return render(
        request,
        "tables/focus_areas.html",
        {"tenant": tenant, "form": form, "areas": areas},
        status=400 if form.errors else 200,
    )
