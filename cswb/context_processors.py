from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from cswb.selectors import memberships_for_request
from cswb.ui import html_row, url_maker

# The plan's navigation (templates/base.html prints it): (URL name, label). Made in Python,
# each address from a pattern made once per process: the template's dozen {% url %} tags were
# most of the time of drawing the page layout, on every page.
_NAV = (
    ("tenant-home", gettext_noop("Home")),
    ("tables:list", gettext_noop("Tables")),
    ("my-work", gettext_noop("My work")),
    ("partners:organizations", gettext_noop("Organizations")),
    ("indicators:dashboard", gettext_noop("Dashboard")),
    ("progress", gettext_noop("Progress")),
    ("recommendations", gettext_noop("Recommendations")),
    ("survey-list", gettext_noop("Surveys")),
)
_NAV_READERS = (("tables:representation", gettext_noop("Representation")),)
_NAV_MANAGE = (
    ("manage:members", gettext_noop("Members")),
    ("partners:invitations", gettext_noop("Invitations")),
    ("manage:focus-areas", gettext_noop("Focus areas")),
    ("manage:digests", gettext_noop("Digests")),
    ("manage:security", gettext_noop("Security")),
)
_LINK = '<li><a href="{url}"{current}>{label}</a></li>'
_CURRENT = mark_safe(' aria-current="page"')
_SECTION = mark_safe(' aria-current="true"')


def _links(request: HttpRequest, entries, indent: str) -> str:
    slug = request.tenant.slug
    links = []
    for name, label in entries:
        url = url_maker(name, "tenant_slug")(tenant_slug=slug)
        if request.path == url:
            current = _CURRENT
        elif name != "tenant-home" and request.path.startswith(url):
            current = _SECTION  # a page within this one (a table's pages under Tables)
        else:
            current = ""
        links.append(indent + html_row(_LINK, url=url, current=current, label=gettext(label)))
    return "\n".join(links)


def tenant_nav(request: HttpRequest) -> dict[str, SafeString]:
    """The links of the plan's navigation for this person: everyone's, the representation
    page for those who read everything, and the administration menu's for admins. Each link
    is marked as the current page when it is, and as the current section on a page within it
    (aria-current="true": a table's pages under Tables, an organization's under
    Organizations)."""
    membership = getattr(request, "membership", None)
    links = _NAV + (_NAV_READERS if membership and membership.can_read_everything else ())
    return {
        "links": mark_safe(_links(request, links, "          ")),  # noqa: S308 -- html_row
        "manage": mark_safe(  # noqa: S308 -- made by html_row, every value escaped
            _links(request, _NAV_MANAGE, "                ")
            if membership and membership.is_admin
            else ""
        ),
    }


# The account menu's links (templates/base.html prints them before the sign-out form): the
# person's own pages, and the plan's digest and self-identification pages within a plan.
_ACCOUNT = (
    ("account_email", gettext_noop("Email addresses")),
    ("account_change_password", gettext_noop("Change password")),
    ("mfa_index", gettext_noop("Two-factor authentication")),
    ("usersessions_list", gettext_noop("Signed-in devices")),
    ("calendar-settings", gettext_noop("Calendar address")),
)
_ACCOUNT_IN_PLAN = (
    ("digest-settings", gettext_noop("Digest emails")),
    ("self-identification", gettext_noop("Self-identification")),
)
_ACCOUNT_LINK = '            <li><a href="{url}">{label}</a></li>'


def account_links(tenant_slug: str | None) -> SafeString:
    """The account menu's links, each address from a pattern made once per process."""
    links = [
        html_row(_ACCOUNT_LINK, url=url_maker(name)(), label=gettext(label))
        for name, label in _ACCOUNT
    ]
    if tenant_slug:
        links += [
            html_row(
                _ACCOUNT_LINK,
                url=url_maker(name, "tenant_slug")(tenant_slug=tenant_slug),
                label=gettext(label),
            )
            for name, label in _ACCOUNT_IN_PLAN
        ]
    return mark_safe("\n".join(links))  # noqa: S308 -- made by html_row, every value escaped


def portal(request: HttpRequest) -> dict[str, object]:
    """The current tenant and the user's other tenants, for the header's switcher, and the
    plan's navigation. Evaluated here, once, so no query runs while the template renders."""
    tenant = getattr(request, "tenant", None)
    return {
        "current_tenant": tenant,
        "current_membership": getattr(request, "membership", None),
        "my_memberships": memberships_for_request(request) if hasattr(request, "user") else [],
        # Made only by a page that draws the layout (not by an htmx fragment).
        "tenant_nav": SimpleLazyObject(lambda: tenant_nav(request)) if tenant else None,
        "account_links": SimpleLazyObject(lambda: account_links(tenant.slug if tenant else None)),
    }
