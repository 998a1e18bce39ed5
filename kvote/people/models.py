from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel
from kvote.people.access import login_identity


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=login_identity(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        """The login a typed email names: by its identity, as the login throttle counts it."""
        return self.get(email=login_identity(username))


# What must happen, in the same transaction, when a user's password is changed (by the reset
# link, on the password page, in the back office): apps above this one register a handler from
# their AppConfig.ready (kvote.api revokes the user's API tokens).
_ON_PASSWORD_CHANGE: list[Callable[["User"], object]] = []


def on_password_change(handler: Callable[["User"], object]) -> None:
    """Run `handler(user)` whenever an existing user's new password is saved. Registering the
    same handler twice is a no-op."""
    if handler not in _ON_PASSWORD_CHANGE:
        _ON_PASSWORD_CHANGE.append(handler)


class Language(models.TextChoices):
    NB = "nb", "Norsk bokmål"
    EN = "en", "English"


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Portal users belong to one customer company; supplier staff belong to none.

    Every user of a company is a buyer. Supervisor, approver and company admin are flags here;
    a budget holder is a user whose employee has a budget (derived, not stored). What each role
    may do is kvote.people.roles, and only there; a supervisor's employees are the Employees
    whose `supervisor` is this user.
    """

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("company"),
        help_text=_("Empty for the supplier's own staff."),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.NB
    )
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    is_approver = models.BooleanField(_("approver"), default=False)
    is_company_admin = models.BooleanField(_("company admin"), default=False)
    is_staff = models.BooleanField(
        _("supplier staff"), default=False, help_text=_("May log in to the back office.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @classmethod
    def normalize_username(cls, username: str) -> str:
        return login_identity(username)  # what a model form's clean() stores

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Every path that changes a password ends in `set_password` and this save: the one
        place where the password-change handlers run (see `on_password_change`)."""
        if self._password is None or self._state.adding:  # type: ignore[attr-defined]
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            for handler in _ON_PASSWORD_CHANGE:
                handler(self)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Employee(TenantModel):
    """A person in a company (ansatt), with an employee number; may or may not have a login."""

    number = models.CharField(_("employee number"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("login"),
    )
    supervisor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_employees",
        verbose_name=_("supervisor"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["company", "name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="employee_number_unique_in_company"
            ),
            # Nobody supervises their own employee record (kvote.people.employee_rules,
            # employee_self_supervision_check): held here for every path around the rules.
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("user")),
                name="employee_not_own_supervisor",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "is_active", "name"]),
            models.Index(fields=["company", "supervisor"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"
