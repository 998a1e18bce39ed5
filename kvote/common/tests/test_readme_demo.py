"""The README's demo table says who each demo login is as the demo data has it
(kvote/demo/data.py): the employee number, the budget, and whom each supervisor supervises."""

import re
from pathlib import Path

from kvote.common.money import NBSP, format_amount
from kvote.demo import data

README = Path(__file__).resolve().parents[3] / "README.md"


def _row(email: str) -> str:
    rows = [line for line in README.read_text().splitlines() if line.startswith(f"| `{email}` |")]
    assert len(rows) == 1, f"README: one demo table row for {email}"
    return rows[0]


def test_the_readme_names_every_demo_login_as_the_demo_has_it() -> None:
    for company in data.COMPANIES:
        budgets = {b.number: b.amount for b in company.budgets}
        for person in company.logins:
            row = _row(person.email)
            assert f"employee {person.number}" in row, row
            if person.number in budgets:
                amount = format_amount(budgets[person.number], "nb").replace(NBSP, " ")
                assert f"budget {amount}" in row, row
            supervised = sorted(p.number for p in company.people if p.supervisor == person.email)
            said = re.search(r"supervises ([0-9, and]+)", row)
            if supervised:
                assert said, f"README: whom {person.email} supervises"
                assert sorted(re.findall(r"\d{4}", said[1])) == supervised, row
            else:
                assert not said, row
