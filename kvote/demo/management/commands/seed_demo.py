from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError
from django.utils import timezone, translation

from kvote.approvals.selectors import approvers_of
from kvote.budgets.models import Budget
from kvote.common.errors import ServiceError
from kvote.common.money import NBSP, format_amount
from kvote.demo import data
from kvote.demo.seed import SeedReport, seed_demo
from kvote.ordering.models import Order, OrderState
from kvote.people import roles
from kvote.people.models import User


class Command(BaseCommand):
    help = (
        "Create the demo: the supplier's staff login, the companies Nordlys Bygg AS and Fjord "
        "Elektro AS with their logins, employees, delivery addresses and agreed prices, a "
        "workwear catalogue, 18 months of order history, and budgets for the current budget "
        "period for the self-service employees (ansatt1@nordlys.example, "
        "ansatt2@nordlys.example, ansatt1@fjord.example), who have already spent some of "
        "them. Approval: Nordlys Bygg approves orders that go over a budget; Fjord Elektro "
        "every order by an employee with a budget, and any order above 10 000,00 excl. VAT. "
        "The history went to the supplier without approval; one current order (a winter "
        "jacket the buyer ordered for Emma Strand, 1006, over her budget of 1 000,00) waits "
        "for leder@nordlys.example under «Til godkjenning». Its approver email is queued like "
        "any other and written to var/mail/ by the background worker (`manage.py run_worker`, "
        "started by `make demo`); the history queues no email, so a worker never sends a burst "
        "of old demo mail. Every login has the password "
        f"{data.PASSWORD}. Running it again on an unchanged demo changes nothing: it finds its "
        "own rows by their natural keys (email, organisation number, product number, item "
        "number, employee number), creates what is missing and puts changed demo rows back to "
        "the demo's values (a waiting order already decided stays decided until --reset). It "
        "never touches other data (nor what is in a user's cart), except with --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Start over: first delete the demo companies and all they own (orders, budgets, "
                "carts, favourites, employees, users, addresses, prices), the demo logins and "
                "the demo catalogue, then create everything again."
            ),
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        try:
            report = seed_demo(reset=reset)
        except ProtectedError as exc:
            raise CommandError(
                "Cannot reset: orders of companies outside the demo hold demo products. "
                "Nothing was changed."
            ) from exc
        except ServiceError as exc:
            raise CommandError(
                f"Cannot set the demo budgets: {exc.message} Nothing was changed; run with "
                "--reset to start over."
            ) from exc
        if options.get("verbosity", 1) >= 1:
            self._summary(report)
            self._logins()
            self._waiting()
            self._sample(report)

    def _summary(self, report: SeedReport) -> None:
        if report.deleted:
            self.stdout.write(f"Reset: deleted {report.deleted} rows of the old demo.")
        if not report.changed_anything:
            self.stdout.write(
                f"The demo data is in place; nothing to change ({report.seconds:.1f} s)."
            )
            return
        parts = [f"{count} {name}" for name, count in sorted(report.created.items())]
        if parts:
            self.stdout.write("Created: " + ", ".join(parts) + ".")
        parts = [f"{count} {name}" for name, count in sorted(report.updated.items())]
        if parts:
            self.stdout.write("Updated: " + ", ".join(parts) + ".")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {report.seconds:.1f} s."))

    def _logins(self) -> None:
        emails = [data.STAFF_EMAIL] + [p.email for c in data.COMPANIES for p in c.logins]
        found = User.objects.filter(email__in=emails).select_related("company", "employee")
        users = {u.email: u for u in roles.with_budget_holder(found)}
        today = timezone.localdate()
        budgets = dict(
            Budget.objects.filter(
                employee__user__in=users.values(), period_start__lte=today, period_end__gt=today
            ).values_list("employee__user__email", "amount")
        )
        rows = [("Email", "Password", "Roles", "Company", "Employee", "Budget")]
        for email in emails:
            user = users[email]
            employee = getattr(user, "employee", None)
            budget = budgets.get(email)
            rows.append(
                (
                    email,
                    data.PASSWORD,
                    ", ".join(roles_of(user)),
                    user.company.name if user.company else "-",
                    employee.number if employee else "-",
                    format_amount(budget, "nb").replace(NBSP, " ") if budget is not None else "",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write("Logins:")
        for n, row in enumerate(rows):
            cells = zip(row, widths, strict=True)
            line = "  ".join(cell.ljust(width) for cell, width in cells).rstrip()
            self.stdout.write("  " + (self.style.MIGRATE_HEADING(line) if n == 0 else line))
        self.stdout.write("")
        self.stdout.write(
            "The supplier's back office is at /admin/ (log in as admin@kvote.example)."
        )

    def _waiting(self) -> None:
        orders = Order.objects.filter(
            company__org_number__in=[c.org_number for c in data.COMPANIES],
            state=OrderState.AWAITING_APPROVAL,
        ).select_related("placed_by")
        if not orders:
            return
        self.stdout.write("")
        self.stdout.write("Awaiting approval (Min side → Til godkjenning):")
        for order in orders.order_by("placed_at", "pk"):
            approvers = ", ".join(u.email for u in approvers_of(order=order)) or "-"
            self.stdout.write(
                f"  {order.number} placed by {order.placed_by.email}, "
                f"kr {format_amount(order.total_excl_vat, 'nb').replace(NBSP, ' ')} excl. VAT: "
                f"waits for {approvers}"
            )

    def _sample(self, report: SeedReport) -> None:
        if not report.sample_files:
            return
        self.stdout.write("")
        self.stdout.write(
            "A catalogue file to try the import with: "
            + " (or ".join(str(path) for path in report.sample_files)
            + ")"
        )
        self.stdout.write(
            "  Back office → Produkter → Importer av produkter og priser → Importer en fil, as "
            "admin@kvote.example; the worker fetches its pictures from this server."
        )


def roles_of(user: User) -> list[str]:
    """The user's roles in English, as the table of logins shows them."""
    if user.company_id is None:
        return ["supplier staff (back office)"] if user.is_staff else []
    with translation.override("en"):
        return [label.lower() for label in roles.role_labels(user)]
