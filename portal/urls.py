from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("city.css", views.city_stylesheet, name="city_stylesheet"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
