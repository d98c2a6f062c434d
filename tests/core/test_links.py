import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from core.paths import path_to


def render(pk) -> str:
    return Template("{% load links %}{{ pk|link_to:'schools:committee_detail' }}").render(Context({"pk": pk}))


def test_a_link_in_a_long_table_is_the_address_reverse_gives():
    for pk in (1, 7, 12345, 2147483646):
        assert render(pk) == reverse("schools:committee_detail", args=[pk])


def test_a_link_follows_the_script_prefix_the_portal_is_served_under():
    try:
        set_script_prefix("/strategi/")
        assert render(3) == reverse("schools:committee_detail", args=[3])
        assert render(3).startswith("/strategi/")
    finally:
        set_script_prefix("/")
    assert not render(3).startswith("/strategi/")


def test_a_path_without_an_id_is_the_path_reverse_gives_under_the_prefix_of_the_moment():
    assert path_to("dashboards:dashboard") == reverse("dashboards:dashboard")
    try:
        set_script_prefix("/strategi/")
        assert path_to("dashboards:dashboard") == reverse("dashboards:dashboard") == "/strategi/dashboard/"
    finally:
        set_script_prefix("/")


def test_a_link_takes_only_an_id():
    with pytest.raises(ValueError, match="invalid literal"):
        render("1/../../admin")
