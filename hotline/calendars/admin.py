from django import forms
from django.contrib import admin

from hotline.calendars.models import CalendarDay, CalendarYear


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "source", "note"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not CalendarDay.objects.filter(date__year=year, kind="holiday").exists():
            raise forms.ValidationError(
                f"请先在“节假日与调休”中录入 {year} 年的法定节假日和调休上班日，再将该年标记为已录入。"
            )
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Marking a year as loaded (after its holidays and 调休 days are entered) turns every
    provisional deadline that runs into it into a definite one."""

    form = CalendarYearForm
    list_display = ["year", "source", "note", "updated_at"]
    list_filter = ["source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]
