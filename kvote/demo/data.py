"""The demo's companies, people and addresses as plain data (the catalogue is in catalogue.py);
`seed.py` writes both.

Every row has a natural key (category slug, product code, item number, org number, email,
employee number), so seeding again finds what it made instead of making it twice.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from kvote.companies.models import ApprovalPolicy, EntitlementPolicy
from kvote.people.roles import Role

PASSWORD = "demo1234"


@dataclass(frozen=True)
class AddressData:
    label: str
    recipient_name: str
    street: str
    postal_code: str
    city: str
    is_default: bool = False


@dataclass(frozen=True)
class PersonData:
    number: str
    name: str
    email: str = ""  # empty: an employee without a login
    supervisor: str = ""  # the supervisor's email
    # The roles set on the login. Budget holder is none of them: the people given a budget
    # (CompanyData.budgets) are the budget holders (kvote.people.roles.is_budget_holder).
    roles: tuple[Role, ...] = ()
    language: str = "nb"


@dataclass(frozen=True)
class BudgetData:
    """A self-service employee's budget for the company's current budget period, set through
    the budget service by `set_by` (so the change log shows who set it)."""

    number: str  # the employee's number
    amount: Decimal
    set_by: str  # the email of a company admin, or of the employee's supervisor


@dataclass(frozen=True)
class KitData:
    """A uniform kit («utstyrspakke»), made and assigned by the company admin. Each item is a
    product code or «category:<slug>» with the pieces it gives per budget period."""

    name: str
    items: tuple[tuple[str, int], ...]
    employees: tuple[str, ...]  # employee numbers


@dataclass(frozen=True)
class CompanyData:
    name: str
    org_number: str
    customer_number: str
    addresses: tuple[AddressData, ...]
    people: tuple[PersonData, ...]
    agreed_prices: dict[str, Decimal] = field(default_factory=dict)
    budgets: tuple[BudgetData, ...] = ()
    approval_policy: str = ApprovalPolicy.OVER_BUDGET
    approval_threshold: Decimal | None = None  # excl. VAT; None: no threshold
    kits: tuple[KitData, ...] = ()
    over_entitlement: str = EntitlementPolicy.APPROVAL
    # Each employee's sizes, employee number → size group key → size as the catalogue writes it.
    sizes: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def logins(self) -> tuple[PersonData, ...]:
        return tuple(p for p in self.people if p.email)

    @property
    def admin_email(self) -> str:
        """The login that keeps the company's kits and sizes: its company admin, else the
        first supervisor."""
        for role in (Role.COMPANY_ADMIN, Role.SUPERVISOR):
            for person in self.logins:
                if role in person.roles:
                    return person.email
        raise LookupError(self.name)


STAFF_EMAIL = "admin@kvote.example"
STAFF_NAME = "Kvote Admin"

NORDLYS = CompanyData(
    name="Nordlys Bygg AS",
    org_number="918273646",
    customer_number="10042",
    addresses=(
        AddressData(
            "Hovedkontor", "Nordlys Bygg AS, varemottak", "Økernveien 145", "0580", "Oslo", True
        ),
        AddressData(
            "Lager Alnabru", "Nordlys Bygg AS, lager", "Nedre Kalbakkvei 40", "1081", "Oslo"
        ),
    ),
    people=(
        PersonData("1000", "Ingrid Solberg", "admin@nordlys.example", roles=(Role.COMPANY_ADMIN,)),
        PersonData(
            "1001", "Henrik Bakken", "leder@nordlys.example", roles=(Role.SUPERVISOR, Role.APPROVER)
        ),
        PersonData(
            "1002",
            "Sofie Haugen",
            "ansatt1@nordlys.example",
            supervisor="leder@nordlys.example",
        ),
        PersonData(
            "1003",
            "Mathias Berg",
            "ansatt2@nordlys.example",
            supervisor="leder@nordlys.example",
        ),
        PersonData("1004", "Nora Johansen", supervisor="leder@nordlys.example"),
        PersonData("1005", "Lars Eriksen", "innkjop@nordlys.example"),
        PersonData("1006", "Emma Strand", supervisor="leder@nordlys.example"),
        PersonData("1007", "Ole Kristiansen", supervisor="leder@nordlys.example"),
        PersonData("1008", "Ida Pedersen"),
        PersonData("1009", "Magnus Dahl", supervisor="leder@nordlys.example"),
        # 1010 is left free: the demo check of "Mine ansatte" adds employee 1010.
        PersonData("1011", "Thea Halvorsen"),
        PersonData("1012", "Marta Kowalska"),
        PersonData("1013", "Amir Hosseini"),
    ),
    agreed_prices={
        "AAPW-1001": Decimal("1599.00"),
        "AAPW-1002": Decimal("849.00"),
        "AAPW-1005": Decimal("1049.00"),
        "AAPW-1101": Decimal("949.00"),
        "AAPW-1103": Decimal("899.00"),
        "AAPW-1201": Decimal("119.00"),
        "AAPW-1204": Decimal("459.00"),
        "AAPW-1301": Decimal("149.00"),
        "AAPW-1304": Decimal("1099.00"),
        "AAPW-1402": Decimal("1349.00"),
        "AAPW-1501": Decimal("129.00"),
    },
    budgets=(
        BudgetData("1002", Decimal("5000.00"), "admin@nordlys.example"),
        BudgetData("1003", Decimal("2000.00"), "admin@nordlys.example"),
        # No login: the buyer orders for her, and an order over it waits for her supervisor
        # (leder@nordlys.example), see waiting.py.
        BudgetData("1006", Decimal("1000.00"), "admin@nordlys.example"),
    ),
    approval_policy=ApprovalPolicy.OVER_BUDGET,
    # Sofie (1002, ansatt1) has used part of «Elektriker» this period (orders.py: trousers, three
    # T-shirts, two pairs of gloves); Mathias (1003, ansatt2) one of the two jackets of «Lager».
    kits=(
        KitData(
            "Elektriker",
            (
                ("category:jakker", 3),
                ("category:bukser", 3),
                ("AAPW-1201", 5),
                ("category:fottoy", 1),
                ("AAPW-1501", 6),
                ("AAPW-1301", 2),
            ),
            ("1002", "1006", "1009"),
        ),
        KitData(
            "Lager",
            (
                ("category:jakker", 2),
                ("category:overdeler", 4),
                ("category:bukser", 2),
                ("category:fottoy", 1),
                ("AAPW-1301", 2),
                ("AAPW-1501", 4),
            ),
            ("1003", "1004", "1007"),
        ),
    ),
    over_entitlement=EntitlementPolicy.APPROVAL,
    sizes={
        "1002": {"tops": "M", "trousers_c": "C48", "shoes": "39", "gloves": "8"},
        "1003": {"tops": "L", "trousers_c": "C52", "shoes": "43", "gloves": "9"},
        "1004": {"tops": "S", "trousers_c": "C44", "shoes": "38", "gloves": "7"},
        "1006": {"tops": "M", "trousers_c": "C46", "shoes": "40", "gloves": "8"},
        "1007": {"tops": "XL", "trousers_c": "C54", "shoes": "44", "gloves": "10"},
        "1009": {"tops": "XXL", "trousers_c": "C56", "shoes": "45", "gloves": "10"},
    },
)

FJORD = CompanyData(
    name="Fjord Elektro AS",
    org_number="923456783",
    customer_number="10077",
    addresses=(
        AddressData(
            "Hovedkontor",
            "Fjord Elektro AS, varemottak",
            "Kokstadvegen 23",
            "5257",
            "Kokstad",
            True,
        ),
        AddressData("Lager Åsane", "Fjord Elektro AS, lager", "Hesthaugvegen 16", "5119", "Ulset"),
    ),
    people=(
        PersonData(
            "2001", "Eirik Tveit", "leder@fjord.example", roles=(Role.SUPERVISOR, Role.APPROVER)
        ),
        PersonData(
            "2002",
            "Marte Vik",
            "ansatt1@fjord.example",
            supervisor="leder@fjord.example",
        ),
        PersonData("2003", "Knut Hovland"),
        PersonData("2004", "Hanne Myklebust"),
    ),
    agreed_prices={
        "AAPW-1302": Decimal("2199.00"),
        "AAPW-1401": Decimal("1049.00"),
        "AAPW-1503": Decimal("199.00"),
    },
    budgets=(BudgetData("2002", Decimal("3000.00"), "leder@fjord.example"),),
    approval_policy=ApprovalPolicy.ALWAYS,
    approval_threshold=Decimal("10000.00"),
)

COMPANIES = (NORDLYS, FJORD)

# (org number, employee number) of everyone with a demo budget.
BUDGET_HOLDERS = frozenset((c.org_number, b.number) for c in COMPANIES for b in c.budgets)
