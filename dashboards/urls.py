from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:key>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("yearly-reports/", views.report_list, name="report_list"),
    path("yearly-reports/<int:year>/text/", views.board_report, name="board_report"),
    path("yearly-reports/<int:year>/status/", views.board_report_status, name="board_report_status"),
    path("yearly-reports/<int:year>/history/", views.board_report_history, name="board_report_history"),
    path("yearly-reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("yearly-reports/<int:pk>/restart/", views.report_restart, name="report_restart"),
    path("yearly-reports/<int:pk>/report.xlsx", views.report_download, {"kind": "xlsx"}, name="report_xlsx"),
    path("yearly-reports/<int:pk>/report.pdf", views.report_download, {"kind": "pdf"}, name="report_pdf"),
    path(
        "yearly-reports/<int:pk>/report-pdfa.pdf",
        views.report_download,
        {"kind": "archival_pdf"},
        name="report_archival_pdf",
    ),
    path("yearly-reports/<int:pk>/report.docx", views.report_download, {"kind": "docx"}, name="report_docx"),
    path("assessments/<int:pk>/areas/<int:number>/quote/", views.quote_toggle, name="quote_toggle"),
    path("assessments/<int:pk>/report/", views.assessment_report, name="assessment_report"),
    path("assessments/<int:pk>/report.pdf", views.assessment_report_pdf, name="assessment_report_pdf"),
]
