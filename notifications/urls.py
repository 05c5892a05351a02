"""The demo's mailbox, under /<lang>/demo/mail/: included by fortnight/urls.py when DEBUG is on only."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.mail_list, name="mail-list"),
    path("<str:name>/<int:index>/", views.mail_detail, name="mail-detail"),
    path("<str:name>/<int:index>/html/", views.mail_html, name="mail-html"),
    path("<str:name>/<int:index>/parts/<int:part>/", views.mail_part, name="mail-part"),
]
