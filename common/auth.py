"""Logging in, for everyone who has an account: the site's login page (door staff, organisers,
associations), the admin's, and the API token; all three share one limit per address."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from .ratelimit import LOGIN_RATE_LIMITED, login_rate_limited
from .schema import errors


@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login (`accounts/login/`), with the limit per address."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_rate_limited(request):
            context = self.get_context_data(form=self.get_form(), error=LOGIN_RATE_LIMITED)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


class LoginRateLimited(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = LOGIN_RATE_LIMITED
    default_code = "rate_limited"


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the API token of that account."""

    # ObtainAuthToken names its own parsers; ours answer bad JSON in the client's language.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        responses={200: inline_serializer("Token", {"token": serializers.CharField()}), **errors(400, 429)},
        operation_id="auth_token_create",
    )
    def post(self, request, *args, **kwargs):
        if login_rate_limited(request):
            raise LoginRateLimited()
        return super().post(request, *args, **kwargs)


@never_cache
def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The back office's login, with the same limit per address as the other logins."""
    if request.method == "POST" and login_rate_limited(request):
        return render(request, "too_many_logins.html", {"message": LOGIN_RATE_LIMITED}, status=429)
    return admin.site.login(request, extra_context)
