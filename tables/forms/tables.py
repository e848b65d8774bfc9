from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cswb.forms import PythonFormRenderer
from partners.models import Organization, OrgRole
from tables.models import (
    ActionTable,
    FocusArea,
    ParticipationRole,
    SeatRole,
    TableStatus,
    Visibility,
    Zone,
)


class TableFilterForm(forms.Form):
    default_renderer = PythonFormRenderer  # drawn on every visit to the table list
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    zone = forms.ChoiceField(
        label=_("Zone"), required=False, choices=[("", _("All zones")), *Zone.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TableStatus.choices]
    )
    mine = forms.BooleanField(label=_("Only my tables"), required=False)

    def __init__(self, *args: object, focus_areas: list[FocusArea], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [("", _("All focus areas"))] + [
            (area.slug, area.name) for area in focus_areas
        ]


class TableForm(forms.ModelForm):
    # Declared here: the model's default manager is tenant-scoped, so the queryset is set per
    # request, inside the scope.
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ActionTable
        fields = [
            "name",
            "focus_areas",
            "zone",
            "visibility",
            "start_date",
            "purpose",
            "terms_of_reference",
        ]
        widgets = {
            "focus_areas": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "terms_of_reference": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "visibility": _(
                "Members-only tables (for example on intimate partner violence) are "
                "hidden from everyone but their members and the plan's leadership."
            ),
            "purpose": _("System-level work only: never names or details of people at risk."),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Retired focus areas are not offered, but a table keeps those it already has.
        offered = Q(retired_on__isnull=True)
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.focus_areas.values("pk"))
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(offered)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=TableStatus.choices)


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the status change?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members see it in the table's timeline."),
    )


class AddOrganizationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization to add"), queryset=None)
    role = forms.ChoiceField(
        label=_("Role at the table"),
        choices=ParticipationRole.choices,
        initial=ParticipationRole.MEMBER,
    )

    def __init__(self, *args: object, organizations: list[Organization], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in organizations]
        )
        self.fields["organization"].choices = [("", "—")] + [(o.pk, o.name) for o in organizations]


class AddSeatForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of a plan member"),
        help_text=_("Someone new to the portal? Invite them below."),
    )
    role = forms.ChoiceField(label=_("Seat"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    organization = forms.ChoiceField(label=_("On behalf of"), required=False)

    def __init__(self, *args: object, organizations: list[Organization], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("Themselves"))] + [
            (str(o.pk), o.name) for o in organizations
        ]
        self.fields["organization"].help_text = _("Organizations sitting at this table.")


class InviteToTableForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    seat_role = forms.ChoiceField(
        label=_("Seat"), choices=SeatRole.choices, initial=SeatRole.MEMBER
    )
    organization = forms.ChoiceField(label=_("Organization"), required=False)
    org_role = forms.ChoiceField(
        label=_("Role in the organization"),
        choices=OrgRole.choices,
        initial=OrgRole.STAFF,
        required=False,
    )

    def __init__(
        self,
        *args: object,
        organizations: list[Organization],
        may_make_org_admins: bool = False,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("None"))] + [
            (str(o.pk), o.name) for o in organizations
        ]
        self.fields["organization"].help_text = _("Organizations sitting at this table.")
        if not may_make_org_admins:
            # Organization administrators are made by the plan's administrators or by the
            # organization's own, on its page; a coordinator invites staff.
            self.fields["org_role"].choices = [(OrgRole.STAFF, OrgRole.STAFF.label)]


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
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every organization that joins the table now; more can join later."),
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
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(retired_on__isnull=True)
        self.fields["lead_organization"].queryset = organizations
        self.fields["member_organizations"].queryset = organizations


class FocusAreaForm(forms.Form):
    name = forms.CharField(label=_("New focus area"), max_length=120)


class FocusAreaEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])
