from django.core import mail
from django.urls import reverse

from accounts.models import Role
from outbox import services as outbox
from outbox.models import Mail
from portal.models import AccessibilityFeedback
from tests.factories import member


def sent_to(email):
    outbox.mail_dispatch_pending()
    return [m for m in mail.outbox if m.to == [email]]


def test_the_accessibility_statement_is_open_to_everyone_and_follows_diggs_template(client, db):
    page = client.get(reverse("portal:accessibility")).content.decode()
    assert "<h1>Tillgänglighet för strategiuppföljningen i Demostad</h1>" in page
    # Compliance status, known shortcomings, how to report one, the supervisory authority.
    assert "delvis förenlig med lagen om tillgänglighet till digital offentlig service" in page
    assert "Innehåll som inte är tillgängligt" in page
    assert "Rapportera brister i webbplatsens tillgänglighet" in page
    assert "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn" in page
    assert 'href="https://www.digg.se/tdosanmalan"' in page
    assert "Redogörelsen uppdaterades senast den 2026-12-01." in page


def test_every_page_links_to_the_statement_in_its_footer(client, org):
    login = client.get(reverse("login")).content.decode()
    assert '<a href="/accessibility/?page=/login/">Tillgänglighetsredogörelse</a>' in login
    client.force_login(org.principal_a)
    page = client.get(reverse("schools:school_detail", args=[org.school_a.pk])).content.decode()
    footer = page[page.index("<footer") :]
    assert f'href="/accessibility/?page=/organisation/schools/{org.school_a.pk}/"' in footer


def test_a_reported_shortcoming_reaches_every_city_admin_by_mail(client, org):
    second_admin = member(Role.CITY_ADMIN, email="admin2@example.se")
    client.force_login(org.principal_a)
    response = client.post(
        reverse("portal:accessibility"),
        {"message": "Knappen Spara går inte att nå med tangentbordet.", "page": "/assessments/1/", "email": ""},
        follow=True,
    )
    assert "Tack! Din rapport har skickats till stadens administratörer." in response.content.decode()
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.sender == org.principal_a
    assert Mail.objects.filter(kind="portal.accessibility_feedback").count() == 2
    for admin in (org.admin, second_admin):
        (message,) = sent_to(admin.email)
        assert message.subject == "Brist i tillgängligheten rapporterad i strategiuppföljningen i Demostad"
        assert "Knappen Spara går inte att nå med tangentbordet." in message.body
        assert "Sida: /assessments/1/" in message.body
        assert f"Svara till: {org.principal_a.email}" in message.body
    assert sent_to(org.analyst.email) == []


def test_someone_not_logged_in_may_report_and_give_an_address_to_answer(client, org):
    client.post(
        reverse("portal:accessibility"),
        {"message": "Texten blir för liten.", "page": "", "email": "besokare@example.se"},
    )
    (message,) = sent_to(org.admin.email)
    assert "Svara till: besokare@example.se" in message.body
    assert AccessibilityFeedback.objects.get().sender is None


def test_an_empty_report_is_refused_with_a_clear_message_and_nothing_is_sent(client, org):
    response = client.post(reverse("portal:accessibility"), {"message": "   ", "page": "", "email": ""})
    assert response.status_code == 200
    assert "Beskriv vad som inte fungerade, så att vi kan rätta det." in response.content.decode()
    assert not AccessibilityFeedback.objects.exists()
    assert not Mail.objects.exists()


def test_a_malformed_reply_address_is_refused_and_nothing_is_saved(client, org):
    response = client.post(reverse("portal:accessibility"), {"message": "Fel", "page": "", "email": "inte en adress"})
    assert response.status_code == 200
    assert not AccessibilityFeedback.objects.exists()
