"""The city's organisation: committees (nämnder) and their school units."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchoolForm(models.TextChoices):
    """Skolformer: the school forms of the Education Act (skollagen 1 kap. 1 §),
    as in Skolverket's register of school units."""

    PRESCHOOL = "forskola", _("Preschool")
    PRESCHOOL_CLASS = "forskoleklass", _("Preschool class")
    LEISURE_CENTRE = "fritidshem", _("Leisure-time centre")
    COMPULSORY = "grundskola", _("Compulsory school")
    ADAPTED_COMPULSORY = "anpassad_grundskola", _("Adapted compulsory school")
    SPECIAL = "specialskola", _("Special school")
    SAMI = "sameskola", _("Sami school")
    UPPER_SECONDARY = "gymnasieskola", _("Upper secondary school")
    ADAPTED_UPPER_SECONDARY = "anpassad_gymnasieskola", _("Adapted upper secondary school")
    ADULT_EDUCATION = "komvux", _("Municipal adult education")
    ADAPTED_ADULT_EDUCATION = "anpassad_komvux", _("Adapted municipal adult education")


class SocioEconomicBand(models.IntegerChoices):
    """A coarse band of the school's socio-economic index, used to compare fairly."""

    BAND_1 = 1, _("1 – lowest need")
    BAND_2 = 2, _("2")
    BAND_3 = 3, _("3")
    BAND_4 = 4, _("4")
    BAND_5 = 5, _("5 – highest need")


class Committee(models.Model):
    """A committee (nämnd) that runs schools and keeps an action plan."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class SchoolQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_forms(self):
        return self.prefetch_related("form_offerings")


class School(models.Model):
    """A school unit (skolenhet), identified by Skolverket's 8-digit unit code.

    Schools are never deleted: a closed or merged school is made inactive and
    keeps its history; inactive schools are left out of new follow-up cycles.
    """

    unit_code = models.CharField(_("unit code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="schools", verbose_name=_("committee")
    )
    is_active = models.BooleanField(_("active"), default=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    pupil_count = models.PositiveIntegerField(_("number of pupils"), null=True, blank=True)
    ses_band = models.PositiveSmallIntegerField(
        _("socio-economic index band"), choices=SocioEconomicBand.choices, null=True, blank=True
    )
    # From Skolverket's school-unit register, where it has them: the principal
    # organiser's (huvudmannens) organisation number, the municipality code the
    # unit lies in and the unit's e-mail address, where the register says the
    # principal is reached.
    organisation_number = models.CharField(
        _("organisation number of the principal organiser"), max_length=10, blank=True, default="", db_default=""
    )
    municipality_code = models.CharField(_("municipality code"), max_length=4, blank=True, default="", db_default="")
    principal_email = models.EmailField(_("principal's e-mail"), max_length=254, blank=True, default="", db_default="")

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("school unit")
        verbose_name_plural = _("school units")
        constraints = [
            models.CheckConstraint(condition=Q(unit_code__regex=r"^[0-9]{8}$"), name="school_unit_code_8_digits"),
            models.CheckConstraint(
                condition=Q(ses_band__isnull=True) | Q(ses_band__gte=1, ses_band__lte=5),
                name="school_ses_band_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, closed_on__isnull=True) | Q(is_active=False),
                name="school_active_has_no_closing_date",
            ),
            models.CheckConstraint(
                condition=Q(organisation_number="") | Q(organisation_number__regex=r"^[0-9]{10}$"),
                name="school_organisation_number_10_digits",
            ),
            models.CheckConstraint(
                condition=Q(municipality_code="") | Q(municipality_code__regex=r"^[0-9]{4}$"),
                name="school_municipality_code_4_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_code})"

    @property
    def forms(self) -> list[str]:
        return sorted(o.form for o in self.form_offerings.all())

    def get_forms_display(self) -> list[str]:
        labels = dict(SchoolForm.choices)
        order = list(labels)
        return [str(labels[f]) for f in sorted(self.forms, key=order.index)]

    def set_forms(self, forms: set[str]) -> None:
        """Make the school's forms exactly `forms`."""
        current = set(self.forms)
        self.form_offerings.filter(form__in=current - forms).delete()
        SchoolFormOffering.objects.bulk_create(
            [SchoolFormOffering(school=self, form=f) for f in sorted(forms - current)]
        )
        if hasattr(self, "_prefetched_objects_cache"):
            self._prefetched_objects_cache.pop("form_offerings", None)

    def close(self, *, on, merged_into: "School | None" = None) -> None:
        """No longer active from `on` (merged into another unit, if given); the caller saves."""
        self.is_active = False
        self.closed_on = on
        self.merged_into = merged_into

    def reopen(self) -> None:
        """Active again; the caller saves."""
        self.is_active = True
        self.closed_on = None
        self.merged_into = None


class SchoolFormOffering(models.Model):
    """One school form (skolform) offered at a school; a unit can have several."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="form_offerings")
    form = models.CharField(_("school form"), max_length=30, choices=SchoolForm.choices)

    class Meta:
        verbose_name = _("school form")
        verbose_name_plural = _("school forms")
        constraints = [
            models.UniqueConstraint(fields=["school", "form"], name="school_form_once_per_school"),
        ]

    def __str__(self) -> str:
        return self.get_form_display()


class OrganisationUploadQuerySet(models.QuerySet):
    def _oldest_current(self):
        return timezone.now() - datetime.timedelta(seconds=settings.ORGANISATION_IMPORT_UPLOAD_TTL)

    def current(self):
        return self.filter(created_at__gte=self._oldest_current())

    def expired(self):
        return self.filter(created_at__lt=self._oldest_current())


class OrganisationUpload(models.Model):
    """A file checked on the import page, kept for its user until it is
    imported or expires (`ORGANISATION_IMPORT_UPLOAD_TTL`): the rows as read,
    the file's SHA-256 and a digest of what the check showed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # A file of Skolverket's school-unit register (its JSON documents) names no
    # committee: its units keep theirs, and new units go to this committee.
    from_register = models.BooleanField(_("from Skolverket's register"), default=False)
    new_school_committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    rows = models.JSONField(_("rows"))
    plan_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)

    objects = OrganisationUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("checked organisation file")
        verbose_name_plural = _("checked organisation files")
        constraints = [
            models.CheckConstraint(
                condition=Q(checksum__regex=r"^[0-9a-f]{64}$"), name="organisation_upload_checksum_is_sha256"
            ),
        ]

    def __str__(self) -> str:
        return self.filename
