"""The API's documentation page (/api/v1/docs/): drf-spectacular's Swagger UI under our
Content-Security-Policy.

drf-spectacular 0.30 starts Swagger UI with an inline script and styles the page with an
inline <style>. Its answer to a strict policy, SpectacularSwaggerSplitView, serves that
script from a URL of its own; we keep it in the page, with a nonce, because it holds the
CSRF token, and a script at a URL of its own is one that any other site can include.
The styles are a static file (static/css/api-docs.css).
"""

from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView


class ApiDocsView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    @method_decorator(csp_update({"script-src": NONCE}))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
