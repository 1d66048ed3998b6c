"""The entry form: it parses and renders; the rules are in ``actions.clean`` and come back
as Chinese field errors through ``show_errors``."""

from __future__ import annotations

from django import forms

from hotline.knowledge import queries as q
from hotline.rules import limits
from hotline.web.forms import WorkbenchForm
from hotline.web.queries import categories_by_domain

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(WorkbenchForm):
    title = forms.CharField(label="标题", required=False, max_length=200)
    questions = forms.CharField(
        label="常见问法（每行一条）",
        required=False,
        max_length=limits.KNOWLEDGE_QUESTIONS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    keywords = forms.CharField(
        label="关键词（逗号分隔）", required=False, max_length=limits.KNOWLEDGE_KEYWORDS
    )
    answer = forms.CharField(
        label="答复口径",
        required=False,
        max_length=limits.KNOWLEDGE_ANSWER,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    category = forms.ChoiceField(label="诉求分类", required=False)
    owner_unit = forms.ChoiceField(label="责任单位", required=False)
    effective_from = forms.CharField(label="生效日期", required=False, max_length=20, widget=DATE)
    expires_on = forms.CharField(
        label="失效日期（不填为长期有效）", required=False, max_length=20, widget=DATE
    )
    review_on = forms.CharField(label="复核日期", required=False, max_length=20, widget=DATE)
    attachment = forms.FileField(label="附件（政策文件、办事指南）", required=False)

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "— 请选择 —")] + [
            (domain, [(c.code, c.name) for c in cats]) for domain, cats in categories_by_domain()
        ]
        self.fields["owner_unit"].choices = [("", "— 请选择 —")] + [
            (u.code, u.name) for u in q.owned_units(user).filter(active=True).order_by("path")
        ]

    def values(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k, "") for k in self.fields if k != "attachment"}


class NoteForm(WorkbenchForm):
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(WorkbenchForm):
    MAX_BYTES = 10 * 1024 * 1024  # 20,000 rows of text fit many times over

    file = forms.FileField(label="Excel 文件（.xlsx，不超过 10 MB）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("Excel 文件不能超过 10 MB")
        return upload
