"""The workbench's quick <select> writes what Django's own Select writes."""

from __future__ import annotations

import pytest
from django import forms

from hotline.web.forms import FilterForm, QuickSelect

CHOICES = [
    ("", "— 全部 —"),
    ("a<b", 'Tom & "Jerry"'),
    (3, "三"),
    ("组", [("x", "甲"), ("y", "乙")]),
]


@pytest.mark.parametrize("value", [None, "", "a<b", 3, "y", ["x", 3]])
@pytest.mark.parametrize(
    "attrs",
    [None, {"class": "form-select", "required": True, "disabled": False, "data-n": 0}],
)
def test_quick_select_writes_what_django_writes(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("unit", value, attrs=attrs)
    quick_html = QuickSelect(choices=CHOICES).render("unit", value, attrs=attrs)
    assert quick_html == django_html


def test_the_filter_form_renders_its_selects_quickly_and_the_same(db):
    form = FilterForm({"state": "closed", "domain": ""})
    assert all(
        type(f.widget) is QuickSelect
        for f in form.fields.values()
        if isinstance(f.widget, forms.Select) and not isinstance(f.widget, forms.RadioSelect)
    )
    html = str(form["state"])
    assert '<option value="closed" selected>' in html
    plain = forms.Select(
        attrs=form.fields["state"].widget.attrs, choices=form.fields["state"].choices
    )
    assert html == plain.render("state", "closed", attrs={"id": "id_state"})
