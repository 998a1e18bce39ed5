import pytest

from kvote.catalog.models import EmployeeSize, SizeGroup
from kvote.catalog.sizes import group_of, product_group, size_for, size_groups, sizes_of
from tests.factories import EmployeeFactory, ProductFactory, VariantFactory


@pytest.mark.parametrize(
    ("size", "group"),
    [
        ("XS", SizeGroup.TOPS),
        ("m", SizeGroup.TOPS),
        ("XXL", SizeGroup.TOPS),
        ("3XL", SizeGroup.TOPS),
        ("C52", SizeGroup.TROUSERS_C),
        ("D104", SizeGroup.TROUSERS_C),
        ("W32/L34", SizeGroup.TROUSERS_WL),
        ("32/34", SizeGroup.TROUSERS_WL),
        ("43", SizeGroup.SHOES),
        ("42,5", SizeGroup.SHOES),
        ("9", SizeGroup.GLOVES),
        ("Onesize", None),
        ("S/M", None),
        ("120", None),
        ("", None),
    ],
)
def test_a_size_belongs_to_the_group_its_text_says(size, group):
    assert group_of(size) == group


def test_a_product_belongs_to_the_group_most_of_its_sizes_fall_in():
    assert product_group(["S", "M", "L", "Onesize"]) == SizeGroup.TOPS
    assert product_group(["C48", "C50", "XL"]) == SizeGroup.TROUSERS_C
    assert product_group(["Onesize"]) is None


def test_the_profile_picks_the_size_of_the_products_group_as_the_catalogue_writes_it():
    profile = {SizeGroup.TOPS: "L", SizeGroup.SHOES: "43"}
    assert size_for(profile, ["S", "M", "l", "XL"]) == "l"
    assert size_for(profile, ["40", "41", "42"]) is None  # 43 is not offered
    assert size_for(profile, ["C50", "C52"]) is None  # no trousers size in the profile
    assert size_for(profile, ["Onesize"]) is None


@pytest.mark.django_db
def test_the_groups_and_their_sizes_come_from_the_catalogues_active_variants(
    django_assert_num_queries,
):
    product = ProductFactory()
    for position, size in enumerate(["S", "M", "L"], start=1):
        VariantFactory(product=product, size=size, size_position=position)
    VariantFactory(product=product, size="XS", size_position=0, is_active=False)
    shoes = ProductFactory()
    VariantFactory(product=shoes, size="44", size_position=9)
    VariantFactory(product=shoes, size="43", size_position=8)
    with django_assert_num_queries(1):
        groups = size_groups()
    assert [(g.key, g.sizes) for g in groups] == [
        (SizeGroup.TOPS, ["S", "M", "L"]),
        (SizeGroup.SHOES, ["43", "44"]),
    ]


@pytest.mark.django_db
def test_sizes_of_reads_each_employees_profile_in_one_query(django_assert_num_queries):
    kari, ola = EmployeeFactory(), EmployeeFactory()
    EmployeeSize.objects.create(
        company_id=kari.company_id, employee=kari, group=SizeGroup.TOPS, size="M"
    )
    with django_assert_num_queries(1):
        assert sizes_of([kari.pk, ola.pk]) == {kari.pk: {"tops": "M"}, ola.pk: {}}
