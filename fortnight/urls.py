from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView

from common.api_docs import ApiDocsView
from common.auth import LoginView, TokenView, admin_login
from common.views import favicon
from programme import api as programme_api
from programme import calendar as programme_calendar
from programme import urls as programme_urls
from registrations import data_requests
from registrations import urls as registrations_urls

handler400 = "common.views.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"

admin.site.site_header = "Fortnight"
admin.site.site_title = "Fortnight"

api_v1 = [
    # ObtainAuthToken names its own parsers: give it ours (translated errors, deep JSON a 400).
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    *registrations_urls.api_urlpatterns,
    path("", include(programme_api.router.urls)),
]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", include((api_v1, "api"))),
    path("calendar/", include(programme_calendar.urlpatterns)),
    *registrations_urls.file_urlpatterns,
    path("i18n/", include("django.conf.urls.i18n")),
]

#: The demo's mailbox (the e-mails written under var/mail/): with DEBUG on only, else no such URL.
demo_urlpatterns = [path("demo/mail/", include("notifications.urls"))] if settings.DEBUG else []

urlpatterns += i18n_patterns(
    path("admin/login/", admin_login),  # before the admin's own: the limit per address
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", include(programme_urls.account_urls.account_urlpatterns)),
    path("portal/", include((programme_urls.portal_urlpatterns + registrations_urls.portal_urlpatterns, "portal"))),
    path(
        "backoffice/",
        include((programme_urls.backoffice_urlpatterns + registrations_urls.backoffice_urlpatterns, "backoffice")),
    ),
    path("", include("programme.urls")),
    path("", include("registrations.urls")),
    path("privacy/", data_requests.privacy_notice, name="privacy"),
    *demo_urlpatterns,
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
