"""What the generator knows about the people and catalogue it made (shared by its modules)."""

from dataclasses import dataclass, field

from kvote.companies.models import Company

FIRST = (
    "Ingrid",
    "Henrik",
    "Sofie",
    "Mathias",
    "Nora",
    "Lars",
    "Emma",
    "Ole",
    "Ida",
    "Magnus",
    "Kari",
    "Jonas",
    "Sara",
    "Emil",
    "Maja",
    "Tobias",
    "Thea",
    "Sander",
    "Hedda",
    "Jakob",
    "Marte",
    "Even",
    "Silje",
    "Kristian",
    "Tone",
    "Eirik",
    "Line",
    "Anders",
    "Hilde",
    "Per",
)
LAST = (
    "Solberg",
    "Bakken",
    "Haugen",
    "Berg",
    "Johansen",
    "Eriksen",
    "Strand",
    "Dahl",
    "Lie",
    "Hansen",
    "Olsen",
    "Larsen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Andersen",
    "Halvorsen",
    "Moen",
    "Jacobsen",
    "Lund",
    "Aas",
    "Vik",
    "Rønning",
)


@dataclass
class World:
    """What the history generator and the meta need to know."""

    companies: list[Company]
    variants: list[tuple[int, int, str]] = field(default_factory=list)  # id, product, text
    prices: dict[int, int] = field(default_factory=dict)  # product id -> list price in øre
    agreed: dict[int, dict[int, int]] = field(default_factory=dict)  # company -> product -> øre
    assortment: dict[int, list[int]] = field(default_factory=dict)  # company -> variant indexes
    employees: list[str] = field(default_factory=list)  # "id\tname\tnumber" (COPY text)
    employee_ids: list[int] = field(default_factory=list)
    employee_company: list[int] = field(default_factory=list)  # company index
    employee_user: list[int] = field(default_factory=list)  # own login id, 0 = none
    employee_supervisor: list[int] = field(default_factory=list)  # supervisor login id, 0 = none
    company_range: list[tuple[int, int]] = field(default_factory=list)
    company_admin: list[int] = field(default_factory=list)  # admin login id
    users: int = 0
    admin_email: str = ""
    supervisor_email: str = ""
    supervisor_id: int = 0
    supervised: int = 0
    team: list[int] = field(default_factory=list)  # employee indexes of the bench supervisor
    buyer_email: str = ""
    buyer_index: int = 0
    drilldown_index: int = 0
    drilldown_employee_id: int = 0
    search_term: str = ""
    product_id: int = 0
    item_numbers: list[str] = field(default_factory=list)
    load_buyers: list[str] = field(default_factory=list)
    load_approvers: list[str] = field(default_factory=list)
