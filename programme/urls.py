from django.urls import path

from . import account_urls, backoffice, backoffice_events, portal, schedule, views

app_name = "programme"
urlpatterns = [
    path("", views.programme, name="index"),
    path("programme/<slug:edition>/", views.programme, name="edition"),
    path("events/<int:pk>/", views.event_detail, name="event"),
]

#: The association portal, under /<lang>/portal/.
portal_urlpatterns = [
    path("", portal.home, name="home"),
    path("association/", portal.choose, name="choose"),
    path("proposals/", portal.proposals, name="proposals"),
    path("proposals/new/", portal.proposal_new, name="proposal-new"),
    path("proposals/<int:pk>/", portal.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/", portal.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/action/", portal.proposal_action, name="proposal-action"),
    *account_urls.portal_member_urlpatterns,
]

#: The organisers' back office, under /<lang>/backoffice/.
backoffice_urlpatterns = [
    path("", backoffice.home, name="home"),
    path("proposals/", backoffice.proposals, name="proposals"),
    path("proposals/<int:pk>/", backoffice.proposal, name="proposal"),
    path("proposals/<int:pk>/note/", backoffice.proposal_note, name="proposal-note"),
    path("proposals/<int:pk>/decide/", backoffice.proposal_decide, name="proposal-decide"),
    path("schedule/", schedule.schedule, name="schedule"),
    *account_urls.backoffice_account_urlpatterns,
    path("activities/", backoffice_events.events, name="events"),
    path("activities/new/", backoffice_events.event_new, name="event-new"),
    path("activities/<int:pk>/", backoffice_events.event_edit, name="event-edit"),
    path("activities/<int:pk>/publish/", backoffice_events.event_publish, name="event-publish"),
    path("activities/<int:pk>/cancel/", backoffice_events.event_cancel, name="event-cancel"),
]
