"""Project-wide security settings: production passes Django's deploy check, the CSP allows no
inline code, and no template carries inline script or style that would need it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def test_production_settings_pass_the_deploy_check() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cswb.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-real-looking-secret-key-with-enough-entropy-%$#@!",
        "DJANGO_ALLOWED_HOSTS": "cswb.example.ca",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cswb.settings.production"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_argon2_hashes_passwords_in_production() -> None:
    from cswb.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert base.DATABASES["default"]["ATOMIC_REQUESTS"] is True


def test_every_page_carries_a_csp_without_unsafe_inline(world, client_for) -> None:
    for client, url in [
        (client_for(None), reverse("account_login")),
        (client_for("admin"), reverse("tenant-home", args=["halton"])),
        (client_for("admin"), "/no-such-plan/"),
    ]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_style_or_handlers() -> None:
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if template.parent.name == "emails":
            continue  # mail clients need inline styles; email is not served under the CSP
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


def test_htmx_is_configured_for_a_strict_csp_and_shared_computers(db: None, client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page).group(1)
    assert '"includeIndicatorStyles":false' in config
    assert '"allowEval":false' in config
    assert '"historyCacheSize":0' in config
    assert '"allowScriptTags":false' in config
    assert '"selfRequestsOnly":true' in config  # a planted hx-post cannot leave the portal
    assert '{"code":"400","swap":true,"error":false}' in config  # form errors are shown in place
    assert "X-CSRFToken" in page  # htmx requests carry the CSRF token


def test_user_text_is_escaped(world, client_for) -> None:
    world.admin.full_name = "<script>alert(1)</script>"
    world.admin.save(update_fields=["full_name"])
    page = client_for("admin").get(reverse("tenant-home", args=["halton"])).content
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_no_page_leaks_template_syntax(world, client_for) -> None:
    """A comment or tag that Django did not parse (a multi-line {# #}, say) shows on the page."""
    for client, url in [
        (client_for(None), reverse("account_login")),
        (client_for("admin"), reverse("tenant-home", args=["halton"])),
        (client_for("admin"), reverse("tables:detail", args=["halton", world.table.slug])),
    ]:
        page = client.get(url).content.decode()
        for token in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert token not in page, (url, token)


def test_only_web_addresses_become_links(world, client_for) -> None:
    """Forms accept http(s) only; a `javascript:` address that reached the database some other
    way (an import, the Django admin) is shown as text, never as a link."""
    from django_scopes import scope

    from cswb.templatetags.portal import web_url
    from partners.models import Organization

    assert web_url("https://example.org/a") == "https://example.org/a"
    assert web_url("JavaScript:alert(1)") == web_url(" javascript:alert(1)") == ""
    assert web_url("data:text/html,x") == web_url("//evil.example") == web_url(None) == ""
    with scope(tenant=world.halton):
        Organization.objects.filter(pk=world.youth_org.pk).update(website="javascript:alert(1)")
    page = client_for("admin").get(
        reverse("partners:organization", args=["halton", world.youth_org.slug])
    )
    assert b'href="javascript:' not in page.content
    assert b"javascript:alert(1)" in page.content  # shown, as text
