"""A period report that can no longer be changed is read as text, not as greyed-out fields."""

import re
from decimal import Decimal

from actionplans import services
from actionplans.models import ReportPeriod
from tests.actionplans.test_plans import DAY, TODAY, fu, page, row, url  # noqa: F401 (fixture)

LONG = "Nätet är klart på hälften av skolorna. " * 12


def test_a_locked_report_is_a_list_of_what_was_reported_with_the_whole_text(client, fu):  # noqa: F811
    indicator = fu.ind["1.2.9"]
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    services.period_report_save(
        report=report,
        rows={fu.action.pk: row(status="ongoing", light="yellow", comment=LONG.strip())},
        values={indicator.pk: Decimal("55.5")},
        version=0,
        user=fu.org.editor_a,
    )
    ReportPeriod.objects.filter(pk=fu.period.pk).update(deadline=TODAY - DAY)
    client.force_login(fu.org.editor_a)
    html = page(client.get(url("report_edit", fu.plan.pk, fu.period.pk)))

    assert not re.search(r"<(fieldset|textarea|select)\b", html)
    assert "disabled" not in html
    card = re.search(r'<section class="card mb-3" aria-labelledby="action-\d+-heading">.*?</section>', html, re.S)
    pairs = r'<div(?: class="report-field-wide")?><dt>(.*?)</dt><dd>(.*?)</dd></div>'
    fields = dict(re.findall(pairs, card.group(0)))
    assert fields["Status"] == '<span class="tag tag-action-ongoing">Pågår</span>'
    assert fields["Trafikljus"].startswith('<span class="tag tag-light-yellow">Gult')
    assert fields["Lägesbeskrivning"] == LONG.strip()
    assert fields["Ansvarig"] == "IT-samordnare"
    assert f"<dt>{indicator.code} {indicator.name}</dt><dd>55,50 %</dd>" in html
