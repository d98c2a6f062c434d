from django.urls import path

from strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_list, name="strategy_list"),
    path("import/", views.strategy_import, name="strategy_import"),
    path("<int:pk>/", views.strategy_detail, name="strategy_detail"),
    path("<int:pk>/export/", views.strategy_export, name="strategy_export"),
    path("<int:pk>/committees/<int:committee_pk>/indicators/", views.committee_indicators, name="committee_indicators"),
    path(
        "<int:pk>/committees/<int:committee_pk>/indicators/new/",
        views.committee_indicator_edit,
        name="committee_indicator_create",
    ),
    path(
        "<int:pk>/committees/<int:committee_pk>/indicators/<int:indicator_pk>/",
        views.committee_indicator_edit,
        name="committee_indicator_edit",
    ),
]
