from django import forms
from django.utils.translation import gettext_lazy as _

from dashboards.models import BoardReport


class BoardReportForm(forms.ModelForm):
    """The yearly report's facts and texts, with one analysis field per focus area."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    # What the form was read from, for a save to merge with someone else's (core.versioning).
    base = forms.JSONField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BoardReport
        fields = ["registry_number", "author", "decision_date", "summary", "proposed_decision", "committees_account"]
        widgets = {
            "decision_date": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 8}),
            "proposed_decision": forms.Textarea(attrs={"rows": 5}),
            "committees_account": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "registry_number": _("As in the registry, e.g. KS 2026/123."),
            "proposed_decision": _("The decision the executive board is asked to take."),
        }

    def __init__(self, *args, areas: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas
        for number, title in areas:
            self.fields[f"area_{number}"] = forms.CharField(
                label=_("Analysis: %(area)s") % {"area": f"{number}. {title}"},
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        for name, field in self.fields.items():
            if name not in ("version", "base"):
                field.widget.attrs.setdefault("class", "form-control")

    def values(self) -> dict:
        """The snapshot the form edits (`reports.document_snapshot`)."""
        names = list(self._meta.fields) + [f"area_{number}" for number, _title in self.areas]
        return {name: self.cleaned_data[name] for name in names}

    def text_fields(self):
        """The texts in the order the report prints them, with the areas' analyses in the middle."""
        names = ["summary", "proposed_decision"] + [f"area_{n}" for n, _t in self.areas] + ["committees_account"]
        return [self[name] for name in names]
