"""Follow-ups as a city runs them: several in a year, each of one strategy and a
chosen set of committees and school forms, within the strategy's validity, with
dates the city office can move (and every move kept)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followup import cycles, services
from followup.models import Cycle, SelfAssessment
from schools.models import SchoolForm
from tests.factories import SchoolFactory, StrategyFactory

TODAY = timezone.localdate()
YEAR = TODAY.year


def open_follow_up(strategy, *, year=YEAR, opens_on=None, user=None, **scope):
    opens_on = opens_on or TODAY - datetime.timedelta(days=7)
    return cycles.cycle_open(
        strategy=strategy,
        year=year,
        opens_on=opens_on,
        deadline=opens_on + datetime.timedelta(days=21),
        locks_on=opens_on + datetime.timedelta(days=40),
        user=user,
        **scope,
    )


def schools_in(cycle) -> set[str]:
    return set(cycle.assessments.values_list("school__name", flat=True))


@pytest.fixture
def city(org):
    """Beside the org's compulsory schools A and B: a preschool in committee A
    and a unit with both forms in committee B."""
    org.preschool = SchoolFactory(committee=org.committee_a, name="Förskolan", forms=[SchoolForm.PRESCHOOL])
    org.both = SchoolFactory(
        committee=org.committee_b, name="Båda", forms=[SchoolForm.PRESCHOOL, SchoolForm.COMPULSORY]
    )
    return org


def test_two_follow_ups_of_one_strategy_in_a_year_each_take_their_school_forms(city):
    compulsory = open_follow_up(city.strategy, school_forms=[SchoolForm.COMPULSORY])

    assert schools_in(compulsory) == {"Skola A", "Skola B", "Båda"}
    with pytest.raises(services.FollowUpError, match="Båda"):
        open_follow_up(city.strategy, school_forms=[SchoolForm.PRESCHOOL])
    assert Cycle.objects.count() == 1

    SchoolFactory(committee=city.committee_b, name="Förskolan Väst", forms=[SchoolForm.PRESCHOOL])
    preschools = open_follow_up(city.strategy, school_forms=[SchoolForm.PRESCHOOL], committees=[city.committee_a])
    assert schools_in(preschools) == {"Förskolan"}
    assert Cycle.objects.filter(year=YEAR).count() == 2
    assert str(compulsory) == f"Uppföljning {YEAR} (Grundskola)"
    assert str(preschools) == f"Uppföljning {YEAR} (Förskola; Nämnd A)"


def test_a_follow_up_of_some_committees_takes_only_their_schools(city):
    cycle = open_follow_up(city.strategy, committees=[city.committee_b])

    assert schools_in(cycle) == {"Skola B", "Båda"}
    assert list(cycle.committees.all()) == [city.committee_b]


def test_two_strategies_are_followed_up_in_the_same_year_by_the_same_schools(city):
    first = open_follow_up(city.strategy)
    second = open_follow_up(StrategyFactory())

    assert schools_in(first) == schools_in(second) == {"Skola A", "Skola B", "Förskolan", "Båda"}
    assert SelfAssessment.objects.filter(school=city.school_a, cycle__year=YEAR).count() == 2


def test_a_whole_city_follow_up_after_one_of_some_schools_is_refused_and_writes_nothing(city):
    open_follow_up(city.strategy, school_forms=[SchoolForm.PRESCHOOL])
    before = (Cycle.objects.count(), SelfAssessment.objects.count())

    with pytest.raises(services.FollowUpError) as refused:
        open_follow_up(city.strategy)

    assert "2 av skolenheterna" in str(refused.value)
    assert (Cycle.objects.count(), SelfAssessment.objects.count()) == before


def test_a_choice_that_takes_no_school_is_refused(city):
    with pytest.raises(services.FollowUpError, match="Ingen aktiv skolenhet"):
        open_follow_up(city.strategy, school_forms=[SchoolForm.SAMI])
    assert not Cycle.objects.exists()


@pytest.mark.parametrize("year", [2016, 2023, 2031])
def test_a_year_outside_the_strategys_validity_is_refused(org, year):
    strategy = StrategyFactory(valid_from=2017, valid_to=2022)

    with pytest.raises(services.FollowUpError, match="2017–2022"):
        open_follow_up(strategy, year=year, opens_on=datetime.date(year, 10, 1))
    assert not Cycle.objects.exists()


@pytest.mark.parametrize("year", [2017, 2022])
def test_the_first_and_last_years_of_the_strategy_are_followed_up(org, year):
    strategy = StrategyFactory(valid_from=2017, valid_to=2022)

    assert open_follow_up(strategy, year=year, opens_on=datetime.date(year, 10, 1)).year == year


def test_the_page_refuses_a_year_outside_the_strategy_and_names_its_validity(client, org):
    strategy = StrategyFactory(valid_from=2017, valid_to=2022, title="Gamla strategin")
    client.force_login(org.admin)

    response = client.post(
        reverse("followup:cycle_create"),
        {
            "strategy": strategy.pk,
            "year": 2031,
            "opens_on": "2031-10-01",
            "deadline": "2031-12-01",
            "reminder_days": "14,7,1",
            "locks_on": "2031-12-31",
        },
    )

    assert response.status_code == 200
    assert "2017–2022" in response.content.decode()
    assert not Cycle.objects.exists()


def test_the_city_admin_opens_a_follow_up_of_compulsory_schools_only_on_the_page(client, city):
    client.force_login(city.admin)

    response = client.post(
        reverse("followup:cycle_create"),
        {
            "strategy": city.strategy.pk,
            "year": YEAR,
            "school_forms": [SchoolForm.COMPULSORY],
            "opens_on": TODAY.isoformat(),
            "deadline": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "reminder_days": "14,7,1",
            "locks_on": (TODAY + datetime.timedelta(days=40)).isoformat(),
        },
    )

    cycle = Cycle.objects.get()
    assert response.url == reverse("followup:cycle_detail", args=[cycle.pk])
    assert cycle.school_forms == [SchoolForm.COMPULSORY]
    assert schools_in(cycle) == {"Skola A", "Skola B", "Båda"}


def test_the_city_admin_moves_the_dates_and_the_change_is_kept_with_who_made_it(client, org, cycle_a):
    client.force_login(org.admin)
    new_deadline = cycle_a.deadline + datetime.timedelta(days=7)

    response = client.post(
        reverse("followup:cycle_edit", args=[cycle_a.pk]),
        {
            "opens_on": cycle_a.opens_on.isoformat(),
            "deadline": new_deadline.isoformat(),
            "reminder_days": "10,3",
            "locks_on": cycle_a.locks_on.isoformat(),
        },
    )

    assert response.status_code == 302
    cycle_a.refresh_from_db()
    assert (cycle_a.deadline, cycle_a.reminder_days) == (new_deadline, "10,3")
    page = client.get(reverse("followup:cycle_edit", args=[cycle_a.pk])).content.decode()
    assert new_deadline.isoformat() in page
    assert org.admin.email in page or org.admin.get_full_name() in page
    changes = cycles.cycle_changes(cycle_a)
    assert changes[0].who == org.admin


def test_dates_out_of_order_are_refused_on_the_dates_page_and_nothing_changes(client, org, cycle_a):
    client.force_login(org.admin)
    before = (cycle_a.opens_on, cycle_a.deadline, cycle_a.locks_on)

    response = client.post(
        reverse("followup:cycle_edit", args=[cycle_a.pk]),
        {
            "opens_on": cycle_a.opens_on.isoformat(),
            "deadline": (cycle_a.locks_on + datetime.timedelta(days=1)).isoformat(),
            "reminder_days": "14,7,1",
            "locks_on": cycle_a.locks_on.isoformat(),
        },
    )

    assert response.status_code == 200
    cycle_a.refresh_from_db()
    assert (cycle_a.opens_on, cycle_a.deadline, cycle_a.locks_on) == before


def test_before_the_opening_date_the_principal_is_told_when_it_opens_not_that_it_is_closed(client, org):
    opens_on = datetime.date(YEAR + 1, 10, 1)
    cycle = open_follow_up(org.strategy, year=YEAR + 1, opens_on=opens_on, user=org.admin)
    assessment = cycle.assessments.get(school=org.school_a)
    client.force_login(org.principal_a)

    page = client.get(reverse("followup:assessment_detail", args=[assessment.pk])).content.decode()
    number = cycle.areas.first().number if cycle.areas.exists() else 1
    area = client.get(reverse("followup:assessment_area", args=[assessment.pk, number]), follow=True)

    assert f"öppnar 1 oktober {YEAR + 1}" in page
    assert "kan inte längre ändras" not in page
    assert f"öppnar 1 oktober {YEAR + 1}" in area.content.decode()


def test_after_the_lock_date_the_message_still_says_it_can_no_longer_be_changed(org, cycle_a):
    past = datetime.date(2020, 1, 1)
    Cycle.objects.filter(pk=cycle_a.pk).update(opens_on=past, deadline=past, locks_on=past)
    org.assessment_a.refresh_from_db()

    assert "kan inte längre ändras" in org.assessment_a.closed_message()


def test_the_dashboard_shows_each_follow_up_of_a_year_on_its_own(client, city):
    compulsory = open_follow_up(city.strategy, school_forms=[SchoolForm.COMPULSORY])
    preschools = open_follow_up(city.strategy, school_forms=[SchoolForm.PRESCHOOL], committees=[city.committee_a])
    client.force_login(city.analyst)

    first = client.get(reverse("dashboards:dashboard") + f"?cycle={compulsory.pk}")
    second = client.get(reverse("dashboards:dashboard") + f"?cycle={preschools.pk}")

    assert first.status_code == second.status_code == 200
    assert first.context["board"].cycle == compulsory
    assert second.context["board"].cycle == preschools
    html = first.content.decode()
    assert f'value="{preschools.pk}"' in html
    assert "Uppföljning" in html


def test_the_yearly_report_of_a_year_with_two_follow_ups_opens_the_years_first(client, city):
    first = open_follow_up(city.strategy, school_forms=[SchoolForm.COMPULSORY])
    open_follow_up(city.strategy, school_forms=[SchoolForm.PRESCHOOL], committees=[city.committee_a])
    client.force_login(city.admin)

    response = client.get(reverse("dashboards:board_report", args=[YEAR]))

    assert response.status_code == 200
    assert response.context["document"].cycle == first
