"""The one versioned save's comparisons: what counts as the same value."""

import datetime
from decimal import Decimal

from django import forms

from core import versioning


def test_numbers_compare_as_typed_whatever_the_stored_decimals():
    assert versioning.plain(Decimal("85.00")) == versioning.plain(Decimal("85")) == "85"
    assert versioning.plain(Decimal("0.50")) == "0.5"


def test_texts_compare_alike_whatever_the_browsers_line_endings():
    assert versioning.plain("Rad ett\r\nRad två") == versioning.plain("Rad ett\nRad två")


def test_dates_and_several_choices_compare_as_json_does():
    assert versioning.plain(datetime.date(2026, 5, 1)) == "2026-05-01"
    assert versioning.plain([3, 1, 2]) == [1, 2, 3]


def test_a_value_is_shown_with_its_choice_label_yes_or_no_and_a_dash_for_nothing():
    level = forms.TypedChoiceField(choices=[(1, "1. Inte påbörjat"), (3, "3. Etablerat")], coerce=int)
    yes_no = forms.TypedChoiceField(choices=[("", "Inte besvarad"), ("1", "Ja"), ("0", "Nej")])
    assert versioning.display(level, 3) == "3. Etablerat"
    assert versioning.display(yes_no, Decimal("1.00")) == "Ja"
    assert versioning.display(forms.BooleanField(), False) == "Nej"
    assert versioning.display(forms.CharField(), "") == "–"
    assert versioning.display(forms.DecimalField(localize=True), Decimal("0.50")) == "0,5"


def test_the_browser_gets_a_merged_value_as_its_field_shows_it():
    class Form(forms.Form):
        value = forms.DecimalField(localize=True)
        level = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int, widget=forms.RadioSelect)
        not_applicable = forms.BooleanField(required=False)

    data = versioning.form_data(
        Form(), {"value": Decimal("0.50"), "level": 2, "not_applicable": True}, ["value", "level", "not_applicable"]
    )
    assert data == {"value": "0,5", "level": "2", "not_applicable": True}
