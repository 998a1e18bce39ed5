import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kvote.companies.models import org_number_checksum_validator
from tests.factories import CompanyFactory, org_number


@pytest.mark.parametrize("number", ["918273646", "923456783", "987654325", "974760673"])
def test_real_organisation_numbers_pass(number: str) -> None:
    org_number_checksum_validator(number)


@pytest.mark.parametrize("number", ["918273647", "987654321", "123456789"])
def test_a_wrong_check_digit_is_refused(number: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="not a valid"):
        org_number_checksum_validator(number)


@pytest.mark.django_db
def test_the_back_office_form_refuses_a_typo() -> None:
    company = CompanyFactory.build(org_number="918273647")
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert "org_number" in error.value.message_dict


def test_the_factories_make_valid_numbers() -> None:
    for n in range(0, 5000, 7):
        org_number_checksum_validator(org_number(n))
