"""Forms of the link / merge / unmerge panels on the order detail page."""

from __future__ import annotations

from django import forms

from hotline.web import forms as f


class DuplicateForm(f.WorkbenchForm):
    main = forms.CharField(label="主工单编号", max_length=20)
    reason = forms.CharField(label="说明", required=False, widget=f.TEXT(attrs={"rows": 2}))


class UnmergeForm(f.WorkbenchForm):
    reason = forms.CharField(label="取消并单理由", widget=f.TEXT(attrs={"rows": 2}))
