from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import Committee, School, SchoolForm


class OrganisationImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file (semicolon or comma separated), an Excel workbook (.xlsx) or the documents of "
            "Skolverket's school-unit register (.json). The columns are listed below."
        ),
    )
    new_school_committee = forms.ModelChoiceField(
        label=_("Committee for new units from the register"),
        queryset=Committee.objects.all(),
        required=False,
        help_text=_(
            "Only for a file of Skolverket's register, which names no committee: units the portal has keep "
            "their committee, new units go to this one."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".json")):
            raise forms.ValidationError(
                _("The file must be a CSV file (.csv), an Excel workbook (.xlsx) or the register's documents (.json).")
            )
        return upload


class OrganisationImportConfirmForm(forms.Form):
    """Names the checked upload the page showed, so that exactly that is imported."""

    upload = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    checksum = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


class SchoolEditForm(forms.ModelForm):
    """The attributes of a school the city admin keeps by hand."""

    school_forms = forms.MultipleChoiceField(
        label=_("School forms"), choices=SchoolForm.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = School
        fields = ["name", "committee", "pupil_count", "ses_band", "is_active"]
        help_texts = {"is_active": _("A closed school keeps its history and is left out of new follow-up cycles.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_forms"].initial = self.instance.forms if self.instance.pk else []
