"""Partner pages under /<tenant>/partners/."""

from django.urls import path

from partners import org_views, views

app_name = "partners"

urlpatterns = [
    path("", org_views.organization_list, name="organizations"),
    path("export.csv", org_views.organization_export, name="organizations-export"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("<slug:org_slug>/", org_views.organization_detail, name="organization"),
    path("<slug:org_slug>/staff/", org_views.staff_add, name="staff-add"),
    path("<slug:org_slug>/staff/<int:pk>/end/", org_views.staff_end, name="staff-end"),
    path("<slug:org_slug>/contacts/", org_views.contact_add, name="contact-add"),
    path("<slug:org_slug>/contacts/<int:pk>/delete/", org_views.contact_delete,
         name="contact-delete"),
]  # fmt: skip
