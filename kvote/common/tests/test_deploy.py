"""The production configuration as an operator sets it: `check --deploy` clean, and the start
refused without real secrets. Each runs manage.py in a subprocess, so the settings module is read
afresh from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    """Not a single message, at any level, and none silenced (SILENCED_SYSTEM_CHECKS would
    show in the count)."""
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        KVOTE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        KVOTE_SUPPLIER_SECRET=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="portal.kvote.example",
        KVOTE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n", result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("secret", ["", "django-insecure-kvote-demo-key-do-not-use-in-production"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path: Path, secret: str) -> None:
    result = _manage(
        "check", KVOTE_ENV="production", SECRET_KEY=secret, KVOTE_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_with_the_demo_supplier_secret(tmp_path: Path) -> None:
    result = _manage(
        "check",
        KVOTE_ENV="production",
        SECRET_KEY="x7#" + "k" * 60 + "q9!Zp2",
        KVOTE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "KVOTE_SUPPLIER_SECRET must be set" in result.stderr


@pytest.mark.parametrize(
    ("transport", "url", "message"),
    [("ftp", "", "must be folder or http"), ("http", "", "needs KVOTE_DELIVERY_URL")],
)
def test_a_delivery_transport_that_cannot_work_stops_the_start(
    tmp_path: Path, transport: str, url: str, message: str
) -> None:
    result = _manage(
        "check",
        KVOTE_DELIVERY_TRANSPORT=transport,
        KVOTE_DELIVERY_URL=url,
        KVOTE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert message in result.stderr
