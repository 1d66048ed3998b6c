from django.urls import path

from hotline.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("new/", views.create, name="create"),
    path("review/", views.moderation, name="moderation"),
    path("stale/", views.stale, name="stale"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/act/<str:action>/", views.transition, name="act"),
    path("<int:pk>/files/<int:att>/", views.attachment, name="attachment"),
]
