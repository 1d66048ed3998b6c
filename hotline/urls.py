from django.contrib import admin
from django.urls import include, path

from hotline.api.main import api

handler400 = "hotline.common.http.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("analytics/", include("hotline.analytics.urls")),
    path("knowledge/", include("hotline.knowledge.urls")),
    path("open311/v2/", include("hotline.open311.urls")),
    path("", include("hotline.web.urls")),
]
