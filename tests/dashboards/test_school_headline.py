"""The school unit's dashboard opens with headline figures, as the committee's and the city's do."""

import re

from tests.dashboards.test_views import LAST_YEAR, dash, dashboard  # noqa: F401 (fixture)


def headline_figures(page):
    headline = re.search(r'<ul class="headline-figures">.*?</ul>', page, re.S).group(0)
    return re.findall(
        r'<span class="figure-label">(.*?)</span> <span class="figure-value">(.*?)</span> '
        r'<span class="figure-change">(.*?)</span>',
        headline,
    )


def test_the_school_dashboard_opens_with_the_units_own_headline_figures(client, dash):  # noqa: F811
    client.force_login(dash.analyst)
    page = client.get(dashboard(school=dash.school_a.pk)).content.decode()
    figures = headline_figures(page)
    assert [label for label, _v, _n in figures] == [
        "Status",
        "Medelvärde för mognadsnivå",
        "Nämnden, medelvärde",
        "Indikatorer som når målvärdet",
    ]
    assert figures[0][1] == "Inlämnad"
    # Levels 3 and 4 this year, 1 and 1 last year.
    assert figures[1][1:] == ("3,5", f"+2,5 sedan {LAST_YEAR}")
    # Committee A is school A alone; the city's six levels are 3, 4, 2, 3, 3, 3.
    assert figures[2][1:] == ("3,5", "Staden, medelvärde: 3,0")
    assert figures[3][2] == "efter skolenhetens värden"
    assert page.index("headline-figures") < page.index('<section id="completeness"')


def test_a_school_that_has_not_handed_in_says_so_in_its_headline(client, dash):  # noqa: F811
    from dashboards import summaries
    from followup.models import AssessmentStatus, SelfAssessment

    SelfAssessment.objects.filter(cycle=dash.cycle, school=dash.school_a).update(
        status=AssessmentStatus.DRAFT, submitted_at=None
    )
    summaries.rebuild(dash.cycle)
    client.force_login(dash.analyst)
    figures = headline_figures(client.get(dashboard(school=dash.school_a.pk)).content.decode())
    assert figures[0] == ("Status", "Utkast", "Inte inlämnad än")
