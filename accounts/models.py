"""Users and the roles they hold in the organisation."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
    # Raised whenever one of the user's roles is given, changed or taken away: the
    # roles are cached under it (accounts.permissions.memberships), so a change
    # shows on the user's next request.
    roles_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

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

    def roles_changed(self) -> None:
        """Raise the roles' version in the database (and on this instance), so no cached roles are read again."""
        User.objects.filter(pk=self.pk).update(roles_version=F("roles_version") + 1)
        self.roles_version += 1
        self.__dict__.pop("_portal_memberships", None)

    @staticmethod
    def membership_changed(sender, instance: "Membership", **kwargs) -> None:
        """Connected to every save and delete of a role, cascades included (accounts.apps)."""
        if Membership.user.is_cached(instance):
            instance.user.roles_changed()
        else:
            User.objects.filter(pk=instance.user_id).update(roles_version=F("roles_version") + 1)


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


class MembershipSource(models.TextChoices):
    MANUAL = "manual", _("Given by hand")
    IDENTITY_PROVIDER = "identity_provider", _("From the identity provider")


# The change reason written into the membership history when the identity
# provider, not a person, gave or took away a role.
BY_IDENTITY_PROVIDER = "identity_provider"


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
    # Roles from the identity provider are brought in line with what it sends at
    # each sign-in; roles given by hand are never touched by a sign-in.
    source = models.CharField(
        _("source"), max_length=20, choices=MembershipSource.choices, default=MembershipSource.MANUAL
    )

    objects = MembershipQuerySet.as_manager()
    # Who gave or took away which role, and when. A change made by the identity
    # provider has no user and the change reason BY_IDENTITY_PROVIDER.
    history = HistoricalRecords(excluded_fields=["created_at", "created_by"])

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


class Provider(models.TextChoices):
    SAML = "saml", "SAML 2.0"
    OIDC = "oidc", "OpenID Connect"


class ExternalIdentity(models.Model):
    """A user's stable identifier at the city's identity provider.

    People are found by this identifier (eduPersonPrincipalName for SAML, `sub`
    for OpenID Connect), never by a name; one identifier belongs to one user.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(_("identity provider"), max_length=10, choices=Provider.choices)
    subject = models.CharField(_("identifier"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identity at the identity provider")
        verbose_name_plural = _("identities at the identity provider")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "provider"], name="identity_one_per_user_and_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.subject}"


class RoleMappingQuerySet(models.QuerySet):
    def matching(self, attributes: dict[str, list[str]]) -> "RoleMappingQuerySet":
        """The rules whose attribute has the rule's value among what the provider sent."""
        condition = Q(pk__in=[])
        for name, values in attributes.items():
            condition |= Q(attribute=name, value__in=values)
        return self.filter(condition)


class RoleMapping(models.Model):
    """A rule the city admin keeps: a value of an attribute from the identity
    provider gives a role at a place.

    The place is the rule's committee or school, or, with `school_from_unit_code`,
    every school unit whose unit code the provider sends in the unit code
    attribute (Skolfederation's sisSchoolUnitCode): "an entitlement of principal
    and unit code 12345678 make the person principal of that unit".
    """

    attribute = models.CharField(
        _("attribute"),
        max_length=200,
        help_text=_("The attribute's name as the identity provider sends it, e.g. eduPersonEntitlement or groups."),
    )
    value = models.CharField(_("value"), max_length=500, help_text=_("The value that gives the role."))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    committee = models.ForeignKey(
        "schools.Committee", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("committee")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("school unit")
    )
    school_from_unit_code = models.BooleanField(
        _("school units from the unit code attribute"),
        default=False,
        help_text=_("The role is given at every school unit whose unit code the identity provider sends."),
    )

    objects = RoleMappingQuerySet.as_manager()

    class Meta:
        ordering = ["attribute", "value", "role"]
        verbose_name = _("role mapping")
        verbose_name_plural = _("role mappings")
        constraints = [
            models.CheckConstraint(
                name="role_mapping_scope_matches_role",
                condition=(
                    Q(
                        role__in=sorted(CITY_ROLES),
                        committee__isnull=True,
                        school__isnull=True,
                        school_from_unit_code=False,
                    )
                    | Q(
                        role__in=sorted(COMMITTEE_ROLES),
                        committee__isnull=False,
                        school__isnull=True,
                        school_from_unit_code=False,
                    )
                    | Q(
                        role__in=sorted(SCHOOL_ROLES),
                        committee__isnull=True,
                        school__isnull=False,
                        school_from_unit_code=False,
                    )
                    | Q(
                        role__in=sorted(SCHOOL_ROLES),
                        committee__isnull=True,
                        school__isnull=True,
                        school_from_unit_code=True,
                    )
                ),
                violation_error_message=_(
                    "A city role has no place, a committee role needs a committee, and a school role needs a "
                    "school unit or the unit code attribute."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value} → {self.get_role_display()}"


class PasswordResetRequest(models.Model):
    """A request for a password-reset mail, kept for an hour to limit how many
    mails one address gets (`PASSWORD_RESET_MAILS_PER_HOUR`)."""

    email = models.EmailField()
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["email", "requested_at"], name="password_reset_email_time")]

    def __str__(self) -> str:
        return f"{self.email} {self.requested_at:%Y-%m-%d %H:%M}"
