"""Accounts: invitations, password reset, the landing after login, the door staff's accounts."""

from django.urls import include, path

from . import account_views as views

#: The pages of /<lang>/accounts/ (namespace "accounts"; the login and logout pages are the project's).
_accounts = [
    path("home/", views.home, name="home"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

#: Under /<lang>/accounts/.
account_urlpatterns: list = [path("", include((_accounts, "accounts")))]
#: Added to the portal's (/<lang>/portal/).
portal_member_urlpatterns: list = [
    path("members/", views.portal_members, name="members"),
]
#: Added to the back office's (/<lang>/backoffice/).
backoffice_account_urlpatterns: list = [
    path("associations/", views.backoffice_associations, name="associations"),
    path("associations/<int:pk>/invite/", views.backoffice_association_invite, name="association_invite"),
    path("door-staff/", views.backoffice_door_staff, name="door_staff"),
    path("door-staff/create/", views.backoffice_door_staff_create, name="door_staff_create"),
    path("door-staff/<int:pk>/deactivate/", views.backoffice_door_staff_deactivate, name="door_staff_deactivate"),
    path("door-staff/<int:pk>/reactivate/", views.backoffice_door_staff_reactivate, name="door_staff_reactivate"),
]
