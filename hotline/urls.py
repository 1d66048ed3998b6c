from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from hotline.api.main import api
from hotline.system import health, metrics

handler400 = "hotline.common.http.bad_request"
# the database or Redis not answering → 503 with Retry-After, anything else Django's 500
handler500 = "hotline.common.unavailable.server_error"


def favicon(request):
    """Browsers ask for /favicon.ico before reading a page's <link rel="icon">."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


urlpatterns = [
    path("health", health.health_view, name="health"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("analytics/", include("hotline.analytics.urls")),
    path("knowledge/", include("hotline.knowledge.urls")),
    path("open311/v2/", include("hotline.open311.urls")),
    path("favicon.ico", favicon),
    path("", include("hotline.web.urls")),
]
