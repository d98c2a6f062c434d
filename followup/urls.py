from django.urls import path

from followup import merge_views, views

app_name = "followup"
urlpatterns = [
    path("organisation/merge/", merge_views.school_merge_page, name="school_merge"),
    path("follow-up/", views.cycle_list, name="cycle_list"),
    path("follow-up/new/", views.cycle_create, name="cycle_create"),
    path("follow-up/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("follow-up/<int:pk>/dates/", views.cycle_edit, name="cycle_edit"),
    path("follow-up/<int:pk>/remind/", views.remind_now, name="remind_now"),
    path("follow-up/<int:pk>/reminders/", views.reminder_log, name="reminder_log"),
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
]
