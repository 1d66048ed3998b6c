from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from hotline.api.main import api
from hotline.system import health, metrics

handler400 = "hotline.common.http.bad_request"
# the database or Redis not answering → 503 with Retry-After, anything else Django's 500
handler500 = "hotline.common.unavailable.server_error"


class Favicon(RedirectView):
    """``/favicon.ico`` → the icon's static URL (hashed once collected, cached a year)."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("web/favicon.ico")


urlpatterns = [
    path("health", health.health_view, name="health"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # browsers ask for /favicon.ico on their own: the icon under its hashed static name
    path("favicon.ico", Favicon.as_view(), name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("analytics/", include("hotline.analytics.urls")),
    path("knowledge/", include("hotline.knowledge.urls")),
    path("open311/v2/", include("hotline.open311.urls")),
    path("", include("hotline.web.urls")),
]
