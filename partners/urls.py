"""Partner pages under /<tenant>/partners/."""

from django.urls import path

from partners.views import invitations, organizations

app_name = "partners"

urlpatterns = [
    path("", organizations.organization_list, name="organizations"),
    path("export.csv", organizations.organization_export, name="organizations-export"),
    path("invitations/", invitations.invitations, name="invitations"),
    path(
        "invitations/<int:pk>/resend/", invitations.invitation_resend_view, name="invitation-resend"
    ),
    path(
        "invitations/<int:pk>/revoke/", invitations.invitation_revoke_view, name="invitation-revoke"
    ),
    path("<slug:org_slug>/", organizations.organization_detail, name="organization"),
    path("<slug:org_slug>/edit/", organizations.organization_edit, name="organization-edit"),
    path("<slug:org_slug>/staff/", organizations.staff_add, name="staff-add"),
    path("<slug:org_slug>/staff/<int:pk>/end/", organizations.staff_end, name="staff-end"),
    path("<slug:org_slug>/contacts/", organizations.contact_add, name="contact-add"),
    path(
        "<slug:org_slug>/contacts/<int:pk>/delete/",
        organizations.contact_delete_view,
        name="contact-delete",
    ),
]
