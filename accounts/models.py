"""Users and the roles they hold in the organisation."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class HandedInMail(models.TextChoices):
    """How a committee editor hears that the committee's schools have handed in."""

    DIGEST = "digest", _("One summary a day")
    EACH = "each", _("One email per school")
    NONE = "none", _("No email")


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    handed_in_mail = models.CharField(
        _("email when a school hands in"),
        max_length=10,
        choices=HandedInMail.choices,
        default=HandedInMail.DIGEST,
        help_text=_("For committee editors: how you hear that the committee's schools have handed in."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    SCHOOL_STAFF = "school_staff", _("School staff (may draft)")
    HEAD_OF_SCHOOLS = "head_of_schools", _("Head of schools")
    COMMITTEE_EDITOR = "committee_editor", _("Committee editor")
    COMMITTEE_READER = "committee_reader", _("Committee reader")
    CITY_ANALYST = "city_analyst", _("City office analyst")
    CITY_ADMIN = "city_admin", _("City admin")


SCHOOL_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.HEAD_OF_SCHOOLS})
COMMITTEE_ROLES = frozenset({Role.COMMITTEE_EDITOR, Role.COMMITTEE_READER})
CITY_ROLES = frozenset({Role.CITY_ANALYST, Role.CITY_ADMIN})


class MembershipQuerySet(models.QuerySet):
    def in_committee(self, committee):
        """Memberships held in a committee or in one of its schools."""
        return self.filter(Q(committee=committee) | Q(school__committee=committee))


class Membership(models.Model):
    """A role a user holds over the whole city, one committee or one school.

    The role decides the scope: city roles have neither committee nor school,
    committee roles a committee, school roles a school (a head of schools holds
    one membership for each school they follow up). The database enforces it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    committee = models.ForeignKey(
        "schools.Committee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("committee"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("school unit"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=sorted(CITY_ROLES), committee__isnull=True, school__isnull=True)
                    | Q(role__in=sorted(COMMITTEE_ROLES), committee__isnull=False, school__isnull=True)
                    | Q(role__in=sorted(SCHOOL_ROLES), committee__isnull=True, school__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(committee__isnull=True, school__isnull=True),
                name="membership_unique_city_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "committee"],
                condition=Q(committee__isnull=False),
                name="membership_unique_committee_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="membership_unique_school_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.scope_name}"

    @property
    def scope_name(self) -> str:
        if self.school_id:
            return self.school.name
        if self.committee_id:
            return self.committee.name
        return str(settings.CITY_NAME)
