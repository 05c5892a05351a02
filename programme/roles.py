"""The staff roles, as Django groups kept in step with the code after every migrate."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

ORGANISERS = "Organisers"
DOOR_STAFF = "Door staff"

#: app label -> models whose every permission organisers hold.
ORGANISER_MODELS = {
    "programme": ["edition", "venue", "category", "association", "event"],
    "authtoken": ["tokenproxy"],
}
#: app label -> (model, permissions) organisers hold on other apps' models.
ORGANISER_PERMISSIONS = {
    "registrations": [("registration", ["view", "change"]), ("checkin", ["view"])],
}


def ensure_groups(**kwargs) -> None:
    organisers, _ = Group.objects.get_or_create(name=ORGANISERS)
    perms = Permission.objects.none()
    for app_label, models in ORGANISER_MODELS.items():
        perms = perms | Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models)
    for app_label, grants in ORGANISER_PERMISSIONS.items():
        for model, actions in grants:
            perms = perms | Permission.objects.filter(
                content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]
            )
    organisers.permissions.add(*perms)
    Group.objects.get_or_create(name=DOOR_STAFF)


def is_organiser(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.groups.filter(name=ORGANISERS).exists()))
