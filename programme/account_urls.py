"""Accounts: invitations, password reset, the landing after login (filled by the accounts work)."""

#: Under /<lang>/accounts/.
account_urlpatterns: list = []
#: Added to the portal's (/<lang>/portal/).
portal_member_urlpatterns: list = []
#: Added to the back office's (/<lang>/backoffice/).
backoffice_account_urlpatterns: list = []
