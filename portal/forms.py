from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import AccessibilityFeedback


class AccessibilityFeedbackForm(forms.ModelForm):
    class Meta:
        model = AccessibilityFeedback
        fields = ["message", "page", "email"]
        labels = {
            "message": _("What did not work for you?"),
            "page": _("On which page (optional)"),
            "email": _("Your email address, if you want an answer (optional)"),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"message": {"required": _("Describe what did not work, so that we can fix it.")}}

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Describe what did not work, so that we can fix it."))
        return message
