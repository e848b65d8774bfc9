"""The production-shaped stack is valid compose and has every service the design asks for.
Debian's docker-compose validates without a Docker engine; .ci/run installs it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.conf import settings


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed (apt-get install docker-compose)")
    return subprocess.run(  # noqa: S603
        [binary, *args], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_compose_file_is_valid() -> None:
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_every_part_of_the_portal() -> None:
    result = _compose("config", "--services")
    assert set(result.stdout.split()) == {
        "migrate",
        "web",
        "proxy",
        "worker",
        "beat",
        "postgres",
        "redis",
        "mailpit",
    }


def test_every_long_running_service_has_a_health_check() -> None:
    config = _compose("config").stdout
    # Every service but `migrate`, which runs once and exits.
    assert config.count("healthcheck:") == 7


def _service_blocks() -> dict[str, str]:
    """The rendered config of each service, as text (no YAML parser among the dependencies)."""
    config = _compose("config").stdout
    body = ("\n" + config).split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks: dict[str, str] = {}
    name = None
    for line in body.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.endswith(":"):
            name = line.strip()[:-1]
            blocks[name] = ""
        elif name is not None:
            blocks[name] += line + "\n"
    return blocks


def test_web_scales_behind_the_proxy() -> None:
    """`--scale web=3` works: no web container binds a host port (three would clash); the
    proxy publishes the portal and sends requests to every web container by name; the
    migrations run once, before any web process starts."""
    services = _service_blocks()
    assert "\n    ports:" not in "\n" + services["web"]
    assert "\n    ports:" in "\n" + services["proxy"]
    nginx = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
    assert "server web:8000 resolve;" in nginx
    assert "migrate:\n        condition: service_completed_successfully" in services["web"]
    assert "migrate" not in services["web"].split("command:", 1)[1].split("\n", 1)[0]


def test_database_and_workers_are_sized_for_a_small_machine() -> None:
    config = _compose("config").stdout
    assert "max_parallel_workers_per_gather=0" in config
    assert "work_mem=16MB" in config
    assert "DATABASE_CONN_MAX_AGE: '60'" in config


def _import_dir(block: str) -> str:
    match = re.search(r"^      IMPORT_DIR: (\S+)$", block, re.M)
    assert match, "IMPORT_DIR is not set"
    return match.group(1).strip("'\"")


def test_web_and_the_worker_share_the_import_files() -> None:
    """An upload is stored on disk by a web process and read by the Celery worker (the check
    and the apply run in the background): both mount one named volume where IMPORT_DIR
    points, and the image makes that directory the portal user's, so the volume starts so."""
    services = _service_blocks()
    mounts = {}
    for name in ("web", "worker"):
        where = _import_dir(services[name])
        found = re.search(rf"^    - (\w+):{re.escape(where)}(:rw)?$", services[name], re.M)
        assert found, f"{name} has no volume at IMPORT_DIR ({where})"
        mounts[name] = found.group(1)
    assert mounts["web"] == mounts["worker"], mounts
    top = _compose("config").stdout.split("\nvolumes:\n", 1)[1]
    assert re.search(rf"^  {mounts['web']}:", top, re.M), "the import volume is not declared"
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    where = _import_dir(services["web"])
    assert re.search(rf"mkdir -p {re.escape(where)} && chown -R cswb", dockerfile)
