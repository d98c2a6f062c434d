import datetime

from actionplans.models import PeriodKind, ReportPeriod


def test_report_periods_come_in_the_order_of_their_deadlines(db):
    ReportPeriod.objects.create(year=2026, kind=PeriodKind.ANNUAL, deadline=datetime.date(2027, 2, 15))
    ReportPeriod.objects.create(year=2026, kind=PeriodKind.T2, deadline=datetime.date(2026, 9, 15))
    ReportPeriod.objects.create(year=2026, kind=PeriodKind.T1, deadline=datetime.date(2026, 5, 15))
    ReportPeriod.objects.create(year=2025, kind=PeriodKind.ANNUAL, deadline=datetime.date(2026, 2, 15))
    assert [(p.year, p.kind) for p in ReportPeriod.objects.all()] == [
        (2026, "t1"),
        (2026, "t2"),
        (2026, "annual"),
        (2025, "annual"),
    ]
