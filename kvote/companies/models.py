from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel, TimeStampedModel
from kvote.companies.periods import Period, PeriodKind, period_containing

org_number_validator = RegexValidator(r"^\d{9}$", _("An organisation number has nine digits."))
ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number_checksum_validator(value: str) -> None:
    """The ninth digit checks the first eight (modulus 11), as Brønnøysundregistrene issues
    them and as PEPPOL's rules check the buyer's endpoint: a typo is caught here, not when the
    order is on its way to the supplier."""
    if len(value) != 9 or not value.isdigit():
        return  # the nine-digit rule says so
    remainder = sum(int(d) * w for d, w in zip(value, ORG_NUMBER_WEIGHTS, strict=False)) % 11
    if remainder == 1 or (11 - remainder) % 11 != int(value[8]):
        raise ValidationError(
            _("This is not a valid organisation number: check the digits."), code="checksum"
        )


class ApprovalPolicy(models.TextChoices):
    NONE = "none", _("No approval: every order goes to the supplier at once")
    OVER_BUDGET = "over_budget", _("Orders that go over a recipient's budget")
    ALWAYS = "always", _("Every order placed by an employee with a budget")


class EntitlementPolicy(models.TextChoices):
    """What happens to an order that takes an employee over their kit (kvote.kits)."""

    ALLOW = "allow", _("Allow it: only the budget in kroner matters")
    APPROVAL = "approval", _("The order waits for approval")
    BLOCK = "block", _("The line cannot be ordered")


# A Norwegian postal code: exactly four ASCII digits (not "٠١٥٠" or "０１５０", which `\d` takes,
# and no line break after them, which `$` lets through). Every path reads this one rule: the
# company's addresses, a one-off address (kvote.checkout.destinations), the API's schema.
POSTAL_CODE_PATTERN = r"^[0-9]{4}$"
postal_code_validator = RegexValidator(
    r"\A[0-9]{4}\Z", _("A Norwegian postal code has four digits.")
)


class Company(TimeStampedModel):
    """A customer company: the tenant. Everything a portal user sees lies inside one company."""

    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=9,
        unique=True,
        validators=[org_number_validator, org_number_checksum_validator],
    )
    customer_number = models.CharField(_("customer number"), max_length=20, unique=True)
    restrict_assortment = models.BooleanField(
        _("own assortment only"),
        default=False,
        help_text=_("When set, the company's users see only the products in its assortment."),
    )
    budget_period = models.CharField(
        _("budget period"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    budget_year_start = models.DateField(
        _("budget year starts"),
        null=True,
        blank=True,
        help_text=_("Only for a year from a chosen date: the day and month it starts."),
    )
    approval_policy = models.CharField(
        _("approval policy"),
        max_length=20,
        choices=ApprovalPolicy.choices,
        default=ApprovalPolicy.OVER_BUDGET,
    )
    approval_threshold = models.DecimalField(
        _("approval threshold excl. VAT"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Any order above this amount needs approval, whatever the budget."),
    )
    over_entitlement = models.CharField(
        _("orders over a kit"),
        max_length=20,
        choices=EntitlementPolicy.choices,
        default=EntitlementPolicy.APPROVAL,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    def budget_period_of(self, day: date) -> Period:
        """The company's budget period that holds `day`."""
        return period_containing(self.budget_period, day, self.budget_year_start)


class DeliveryAddress(TenantModel):
    """One of the company's saved delivery addresses (leveringsadresse)."""

    label = models.CharField(_("label"), max_length=100)
    recipient_name = models.CharField(_("attention"), max_length=200)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(
        _("postal code"), max_length=4, validators=[postal_code_validator]
    )
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="NO")
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["company", "-is_default", "label"]
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")
        indexes = [models.Index(fields=["company", "is_active"])]

    def __str__(self) -> str:
        return f"{self.label}: {self.one_line()}"

    def one_line(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"
