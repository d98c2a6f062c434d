import pytest

from tests.browser.nu_checker import nu_errors

pytestmark = pytest.mark.browser

PAGE = '<!doctype html><html lang="sv"><head><title>Sida</title></head><body>{}</body></html>'


def test_the_nu_checker_finds_htmx_attributes_without_data_and_comma_decimals_in_number_inputs():
    errors = nu_errors(
        {"/sida/": PAGE.format('<div hx-get="/a"><input type="number" value="60,00" aria-label="Mål"></div>')}
    )
    assert len(errors) == 2
    assert errors[0].startswith("/sida/ line 1: Attribute “hx-get” not allowed")
    assert "Bad value “60,00”" in errors[1]


def test_the_nu_checker_accepts_data_hx_attributes_and_dot_decimals():
    assert (
        nu_errors(
            {"/sida/": PAGE.format('<div data-hx-get="/a"><input type="number" value="60.00" aria-label="Mål"></div>')}
        )
        == []
    )


def test_bare_htmx_attributes_are_errors_on_the_autosave_forms_and_the_report_status_too():
    page = PAGE.format(
        '<form method="post" data-draft-key="k"\n hx-post="/a"><button>Spara</button></form>'
        '\n<div id="report-status" hx-get="/r"></div>'
    )
    errors = nu_errors({"/sida/": page})
    assert len(errors) == 2
    assert "Attribute “hx-post” not allowed" in errors[0]
    assert "Attribute “hx-get” not allowed" in errors[1]
