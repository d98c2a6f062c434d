from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:key>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("yearly-reports/", views.report_list, name="report_list"),
    path("yearly-reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("yearly-reports/<int:pk>/restart/", views.report_restart, name="report_restart"),
    path("yearly-reports/<int:pk>/report.xlsx", views.report_download, {"kind": "xlsx"}, name="report_xlsx"),
    path("yearly-reports/<int:pk>/report.pdf", views.report_download, {"kind": "pdf"}, name="report_pdf"),
    path("assessments/<int:pk>/areas/<int:number>/quote/", views.quote_toggle, name="quote_toggle"),
    path("assessments/<int:pk>/report/", views.assessment_report, name="assessment_report"),
    path("assessments/<int:pk>/report.pdf", views.assessment_report_pdf, name="assessment_report_pdf"),
]
