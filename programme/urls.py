from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("", views.programme, name="index"),
    path("programme/<slug:edition>/", views.programme, name="edition"),
    path("events/<int:pk>/", views.event_detail, name="event"),
]
