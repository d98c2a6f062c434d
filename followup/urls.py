from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("follow-up/", views.cycle_list, name="cycle_list"),
    path("follow-up/new/", views.cycle_create, name="cycle_create"),
    path("follow-up/<int:year>/", views.cycle_detail, name="cycle_detail"),
    path("follow-up/<int:year>/remind/", views.remind_now, name="remind_now"),
    path("follow-up/<int:year>/reminders/", views.reminder_log, name="reminder_log"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/areas/<int:number>/", views.assessment_area, name="assessment_area"),
    path(
        "assessments/<int:pk>/areas/<int:number>/from-last-year/",
        views.assessment_from_last_year,
        name="assessment_from_last_year",
    ),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/approve/", views.assessment_approve, name="assessment_approve"),
    path("assessments/<int:pk>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path("assessments/<int:pk>/history/", views.assessment_history, name="assessment_history"),
    path("assessments/<int:pk>/report/", views.assessment_report, name="assessment_report"),
    path("assessments/<int:pk>/report.pdf", views.assessment_report_pdf, name="assessment_report_pdf"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/actions/new/", views.action_edit, name="action_create"),
    path("plans/<int:pk>/actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path("plans/<int:pk>/reports/<int:period_pk>/", views.report_edit, name="report_edit"),
    path("plans/<int:pk>/reports/<int:period_pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("plans/<int:pk>/export.xlsx", views.plan_export_xlsx, name="plan_export_xlsx"),
    path("plans/<int:pk>/export.pdf", views.plan_export_pdf, name="plan_export_pdf"),
    path("report-periods/", views.period_list, name="period_list"),
]
