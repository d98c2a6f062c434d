from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from strategy import services
from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "strategy" / "examples" / "stockholm-2011.yaml"


@pytest.fixture
def stockholm(org):
    return services.strategy_import(text=EXAMPLE.read_text())


def test_a_principal_reads_the_strategy_as_a_document(page: Page, live_server, org, stockholm):
    log_in(page, live_server.url, org.principal_a.email)
    page.get_by_role("link", name="Strategier").click()
    assert_accessible(page)
    page.get_by_role("link", name="It-strategi för ett bättre lärande").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("It-strategi för ett bättre lärande")
    expect(page.get_by_role("definition").filter(has_text="031-2674/2010")).to_be_visible()
    area = page.get_by_role("heading", level=2).filter(has_text="Infrastruktur för ökad tillgänglighet")
    expect(area).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Förbättrad digital kompetens hos alla").click()
    expect(page).to_have_url(f"{live_server.url}/strategies/{stockholm.pk}/#area-2")
    indicators = page.get_by_role("table", name="Indikatorer för mål 1.1")
    expect(indicators.get_by_role("rowheader").first).to_contain_text("Trådlösa nät finns på samtliga skolor")
    expect(page.get_by_role("heading", name="Mognadsskala")).to_be_visible()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
