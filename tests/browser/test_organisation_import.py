from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser

HEADER = "Skolenhetskod;Skolenhetsnamn;Skolformer;Nämnd;Antal elever\n"
BAD_FILE = HEADER + "33333333;Nya förskolan;Förskola;A;40\n4444444X;Nya skolan;Grundskola, Fritidshem;A;300\n"
FIXED_FILE = HEADER + "33333333;Nya förskolan;Förskola;A;40\n44444444;Nya skolan;Grundskola, Fritidshem;A;300\n"


def upload(page: Page, name: str, text: str) -> None:
    page.get_by_label("Fil*", exact=True).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Kontrollera filen").click()


def test_the_city_admin_fixes_a_bad_row_and_imports_the_new_schools(page: Page, live_server, org):
    log_in(page, live_server.url, org.admin.email)
    page.get_by_role("button", name="Administrera").click()
    page.get_by_role("link", name="Importera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera nämnder och skolenheter")
    assert_accessible(page)

    upload(page, "skolor.csv", BAD_FILE)
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Filen har 1 fel. Ingenting har importerats.")
    expect(errors.get_by_role("row").nth(1)).to_contain_text("Rad 3")
    expect(errors.get_by_role("row").nth(1)).to_contain_text("4444444X")
    assert_accessible(page)

    upload(page, "skolor.csv", FIXED_FILE)
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Nya förskolan")
    expect(preview).to_contain_text("Nya skolan")
    assert_accessible(page)
    preview.get_by_role("button", name="Importera").click()

    expect(page.get_by_role("status")).to_contain_text("skolor.csv")
    assert_accessible(page)
    page.get_by_role("link", name="Nämnd A").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Nya förskolan")
    expect(table).to_contain_text("44444444")
    expect(table.get_by_role("row", name="Nya skolan")).to_contain_text("Fritidshem, Grundskola")
    assert_accessible(page)


REGISTER_FILE = (
    "Skolenhetskod;Skolenhetsnamn;Skolfomer;Kommun;Nämnd\r\n"
    "3333333;Nya förskolan;Förskola;Staden;A\r\n"
    "44444444;Vuxenutbildningen;Kommunal vuxenutbildning;Staden;A\r\n"
)
REGISTER_FILE_FIXED = REGISTER_FILE.replace("Skolfomer", "Skolform").replace("3333333;", "03333333;")


def test_the_city_admin_sees_every_problem_of_a_register_export_at_once_and_imports_it(page: Page, live_server, org):
    log_in(page, live_server.url, org.admin.email)
    page.goto(f"{live_server.url}/organisation/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned en mallfil").click()
    assert download.value.suggested_filename == "skolenheter-mall.csv"

    page.get_by_label("Fil*", exact=True).set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": REGISTER_FILE.encode("cp1252")}
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Filen har 2 fel.")
    expect(errors).to_contain_text("Kolumnen Skolformer saknas: är det kolumnen 'Skolfomer'?")
    expect(errors).to_contain_text("Excel kan ha tagit bort en inledande nolla")
    expect(page.locator("#ignored-columns")).to_contain_text("Kommun")
    assert_accessible(page)

    page.get_by_label("Fil*", exact=True).set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": REGISTER_FILE_FIXED.encode("cp1252")}
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Vuxenutbildningen")
    assert_accessible(page)
    preview.get_by_role("button", name="Importera").click()
    expect(page.get_by_role("status")).to_contain_text("register.csv")


REGISTER_DOCUMENTS = Path(__file__).resolve().parent.parent / "fixtures" / "skolverket_register" / "demostad-units.json"


def test_the_city_admin_imports_skolverkets_register_with_a_committee_for_new_units(page: Page, live_server, org):
    log_in(page, live_server.url, org.admin.email)
    page.goto(f"{live_server.url}/organisation/import/")
    page.get_by_label("Fil*", exact=True).set_input_files(
        {"name": "skolenheter.json", "mimeType": "application/json", "buffer": REGISTER_DOCUMENTS.read_bytes()}
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("välj nämnd för nya skolenheter")
    assert_accessible(page)

    page.get_by_label("Fil*", exact=True).set_input_files(
        {"name": "skolenheter.json", "mimeType": "application/json", "buffer": REGISTER_DOCUMENTS.read_bytes()}
    )
    page.get_by_label("Nämnd för nya skolenheter ur registret").select_option(label="Nämnd A")
    page.get_by_role("button", name="Kontrollera filen").click()
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Ekbackens skola")
    expect(preview).to_contain_text("Lärkans vuxenutbildning")
    assert_accessible(page)
    preview.get_by_role("button", name="Importera").click()

    expect(page.get_by_role("status")).to_contain_text("skolenheter.json")
    page.get_by_role("link", name="Nämnd A").click()
    page.get_by_role("link", name="Ekbackens skola").click()
    expect(page.get_by_role("main")).to_contain_text("2120009999")
    expect(page.get_by_role("link", name="rektor.ekbacken@demostad.se")).to_be_visible()
    assert_accessible(page)
