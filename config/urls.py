from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView

from confiance.console.views import open311_root
from config.api import api
from config.api import unmatched as api_unmatched


class FaviconRedirect(RedirectView):
    """Pages without an icon link (the admin's) make browsers ask for /favicon.ico: send them to the SVG one. The
    static address is resolved per request, so a missing manifest never breaks the URL configuration's import."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("img/favicon.svg")


admin.site.site_header = "Confiance — administration"
admin.site.site_title = "Confiance"
admin.site.index_title = "Configuration de la plateforme"

urlpatterns = [
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", api_unmatched),
    path("admin/", admin.site.urls),
    path("comptes/", include("confiance.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/", open311_root, name="open311-root"),
    path("open311/v2/", open311_root, name="open311-root-v2"),  # before the include: its catch-all is a 404
    path("open311/v2/", include("confiance.reports.open311.urls")),
    path("", include("confiance.reports.urls")),
    path("", include("confiance.console.urls")),
    path("", include("confiance.analytics.urls")),
    path("", include("confiance.operations.urls")),
    path("", include("confiance.devices.urls")),
    path("", include("confiance.prevention.urls")),
    path("", include("confiance.alerts.urls")),
    path("", include("confiance.crisis.urls")),
    path("", include("confiance.privacy.urls")),
    path("", include("confiance.portal.urls")),
]
