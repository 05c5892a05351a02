"""A URLconf for tests/test_errors.py: the real one, plus views that raise, so that the error
answers are tested through the project's own handlers. Nothing here is in production's URLs."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from fortnight import urls


def boom(request):
    raise RuntimeError("a bug in a view")


handler404 = urls.handler404
handler500 = getattr(urls, "handler500", "django.views.defaults.server_error")

urlpatterns = [
    path("api/v1/boom/", boom),
    *urls.urlpatterns,
    *i18n_patterns(path("boom/", boom, name="boom"), prefix_default_language=True),
]
