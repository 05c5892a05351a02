from django.urls import path

from . import api, dashboard, data_requests, door, exports, feeds, portal, views

app_name = "registrations"

#: Pages, under the language prefix (/fr/, /nl/, /en/).
urlpatterns = [
    path("events/<int:pk>/register/", views.register, name="register"),
    path("events/<int:pk>/register/link/", views.resend_link, name="resend"),
    path("tickets/<str:secret>/", views.ticket, name="ticket"),
    path("tickets/<str:secret>/cancel/", views.cancel, name="cancel"),
    path("tickets/<str:secret>/mail-my-registrations/", views.mail_my_registrations, name="mail-mine"),
    path("my/<str:secret>/", views.mine, name="mine"),
    path("my/<str:secret>/calendar/replace/", feeds.replace_feed, name="mine-calendar-replace"),
    *data_requests.urlpatterns,
    path("door/", door.door_index, name="door"),
    path("door/<int:event_id>/", door.door_scanner, name="door-scanner"),
]

#: Added to the association portal's (/<lang>/portal/).
portal_urlpatterns = [
    path("activities/<int:event_id>/attendees.csv", portal.attendees_csv, name="attendees-csv"),
]

#: Added to the back office's (/<lang>/backoffice/).
backoffice_urlpatterns = [
    *data_requests.backoffice_urlpatterns,
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/activities/", dashboard.dashboard_activities, name="dashboard-activities"),
    path("exports/", exports.exports, name="exports"),
    path("activities/<int:event_id>/registrations.csv", exports.event_csv, name="event-csv"),
    path("editions/<slug:slug>/registrations.csv", exports.edition_csv, name="edition-csv"),
    path("activities/<int:event_id>/door-list/", exports.door_list, name="door-list"),
    path("access-log/", exports.access_log, name="access-log"),
]

#: Files without a language, linked from tickets and e-mails.
file_urlpatterns = [
    path("tickets/<str:secret>/qr.<str:fmt>", views.ticket_qr, name="ticket-qr"),
    path("calendar/tickets/<str:secret>.ics", views.ticket_ics, name="ticket-ics"),
    path("offline-tickets-sw.js", views.offline_tickets_worker, name="offline-tickets-worker"),
]

#: Under /api/v1/.
api_urlpatterns = [
    path("events/<int:event_id>/registrations/", api.EventRegistrations.as_view(), name="event-registrations"),
    path(
        "events/<int:event_id>/registrations/export/",
        api.EventRegistrationsExport.as_view(),
        name="event-registrations-export",
    ),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/",
        api.EventRegistrationDetail.as_view(),
        name="event-registration-detail",
    ),
    path("events/<int:event_id>/checkins/stats/", api.CheckInStats.as_view(), name="event-checkin-stats"),
    path("events/<int:event_id>/attendees/", api.AttendeeSearch.as_view(), name="event-attendees"),
    path("checkins/", api.CheckIns.as_view(), name="checkins"),
    path("editions/<slug:slug>/ticket-key/", api.TicketPublicKey.as_view(), name="ticket-key"),
    path("editions/<slug:slug>/stats/", api.EditionStats.as_view(), name="edition-stats"),
]
