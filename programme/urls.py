from django.urls import include, path

from . import backoffice, portal, views

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
]

#: The organisers' back office, under /<lang>/backoffice/.
backoffice_urlpatterns = [
    path("", backoffice.home, name="home"),
]

portal_urls = include((portal_urlpatterns, "portal"))
backoffice_urls = include((backoffice_urlpatterns, "backoffice"))
