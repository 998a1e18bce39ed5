"""The supplier's secrets in production: long enough to sign with, the previous one too."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LONG = "k3Jq9vZ2xP7mW4tR8yB1nC6hF0dL5sA2"  # 32 characters


def _import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "KVOTE_SUPPLIER_SECRET", "KVOTE_SIGNATURE"))
    }
    environment.update(
        {
            "KVOTE_ENV": "production",
            "SECRET_KEY": "x7#" + "k" * 60 + "q9!Zp2",
            "ALLOWED_HOSTS": "portal.kvote.example",
            "KVOTE_VAR_DIR": str(tmp_path),
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", "import kvote.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({"KVOTE_SUPPLIER_SECRET": "s"}, "KVOTE_SUPPLIER_SECRET must be at least 32 characters"),
        ({"KVOTE_SUPPLIER_SECRET": LONG[:31]}, "KVOTE_SUPPLIER_SECRET must be at least 32"),
        (
            {"KVOTE_SUPPLIER_SECRET": LONG, "KVOTE_SUPPLIER_SECRET_PREVIOUS": "old"},
            "KVOTE_SUPPLIER_SECRET_PREVIOUS must be at least 32 characters",
        ),
        (
            {
                "KVOTE_SUPPLIER_SECRET": LONG,
                "KVOTE_SUPPLIER_SECRET_PREVIOUS": "kvote-demo-supplier-secret",
            },
            "KVOTE_SUPPLIER_SECRET_PREVIOUS must be at least 32 characters",
        ),
        ({}, "KVOTE_SUPPLIER_SECRET must be set"),
        (
            {"KVOTE_SUPPLIER_SECRET": LONG, "KVOTE_SIGNATURE_TOLERANCE_SECONDS": "0"},
            "KVOTE_SIGNATURE_TOLERANCE_SECONDS must be a positive number",
        ),
    ],
)
def test_production_refuses_a_supplier_secret_too_short_to_sign_with(
    tmp_path: Path, env: dict[str, str], refused: str
) -> None:
    result = _import_settings(tmp_path, **env)
    assert result.returncode != 0
    assert refused in result.stderr


@pytest.mark.parametrize("previous", ["", LONG[::-1]])
def test_production_starts_with_a_long_secret_and_an_optional_previous_one(
    tmp_path: Path, previous: str
) -> None:
    result = _import_settings(
        tmp_path, KVOTE_SUPPLIER_SECRET=LONG, KVOTE_SUPPLIER_SECRET_PREVIOUS=previous
    )
    assert result.returncode == 0, result.stderr


def test_development_keeps_the_demo_secret(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, KVOTE_ENV="development")
    assert result.returncode == 0, result.stderr
