"""A catalogue with sizes in three groups, for the tests of size profiles (the service, the
pages of Min side and «Mine ansatte», the CSV import and the API)."""

from kvote.catalog.models import EmployeeSize, SizeGroup
from kvote.people.models import Employee
from tests.factories import ProductFactory, VariantFactory

TOPS = ["S", "M", "L", "XL"]
SHOES = ["42", "43", "44"]
TROUSERS_WL = ["W32/L34", "W34/L34"]


def sized_catalogue() -> None:
    """A jacket in S–XL, a shoe in 42–44 and trousers in two waist/length sizes: tops, shoes
    and trousers (waist/length) are the groups the catalogue fills; the others have no sizes."""
    for sizes in (TOPS, SHOES, TROUSERS_WL):
        product = ProductFactory()
        for position, size in enumerate(sizes, start=1):
            VariantFactory(product=product, size=size, size_position=position)


def give_sizes(employee: Employee, **sizes: str) -> None:
    for key, size in sizes.items():
        EmployeeSize.objects.create(
            company_id=employee.company_id, employee=employee, group=SizeGroup(key), size=size
        )


def sizes_stored(employee: Employee) -> dict[str, str]:
    return dict(EmployeeSize.objects.filter(employee=employee).values_list("group", "size"))
