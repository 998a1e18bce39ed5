"""The fuzzer's counts in the terminal summary (tests/fuzz/test_fuzz_forms.py)."""

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.fuzz.test_fuzz_forms import SUMMARY

    for line in SUMMARY:
        terminalreporter.write_line(line)
