"""Tenant administration under /<tenant>/manage/."""

from django.urls import path

from . import manage_views

app_name = "manage"

urlpatterns = [
    path("members/", manage_views.members, name="members"),
    path("members/<int:pk>/role/", manage_views.member_role, name="member-role"),
    path("members/<int:pk>/deactivate/", manage_views.member_deactivate, name="member-deactivate"),
    path("security/", manage_views.security, name="security"),
]
