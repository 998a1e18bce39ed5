"""Links in emails lead to where the portal runs: settings.KVOTE_BASE_URL is their one home
(approval emails, the password reset), and `make demo PORT=…` / `make run` pass it from HOST
and PORT, so a demo on another port does not mail links to port 8000."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
KVOTE = ROOT / "kvote"
SHOW = 'kvote-base-url: ; @echo "$$KVOTE_BASE_URL"'


def _make_base_url(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "KVOTE_BASE_URL"}
    environment.update(env)
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", SHOW, "kvote-base-url", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_the_makefile_passes_the_address_it_serves_to_the_portal() -> None:
    assert _make_base_url() == "http://127.0.0.1:8000"
    assert _make_base_url("PORT=8134") == "http://127.0.0.1:8134"
    assert _make_base_url("HOST=localhost", "PORT=9000") == "http://localhost:9000"
    assert _make_base_url("HOST=0.0.0.0", "PORT=8134") == "http://127.0.0.1:8134"
    # An operator's own address (a public name, a proxy) is kept.
    assert _make_base_url("PORT=8134", KVOTE_BASE_URL="https://kvote.example") == (
        "https://kvote.example"
    )


def test_no_email_builds_a_link_from_the_request() -> None:
    """Every email template takes its links from `base_url` (KVOTE_BASE_URL), never from the
    request's host or Django's protocol/domain."""
    emails = [
        *KVOTE.rglob("templates/**/email/*"),
        KVOTE / "templates" / "registration" / "password_reset_email.html",
    ]
    assert len(emails) >= 5
    for path in emails:
        text = path.read_text(encoding="utf-8")
        assert "{{ domain }}" not in text and "{{ protocol }}" not in text, path.name
        if "{% url" in text or "{{ path }}" in text:
            assert "{{ base_url }}" in text, path.name
