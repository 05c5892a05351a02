"""The staff roles, as Django groups kept in step with the code after every migrate."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

ORGANISERS = "Organisers"
DOOR_STAFF = "Door staff"

#: app label -> models whose every permission organisers hold. No API tokens
#: (authtoken): whoever may see or make another user's token can act as them,
#: a superuser included; each user gets their own at POST /api/v1/auth/token/.
ORGANISER_MODELS = {
    "programme": ["edition", "venue", "category", "association", "event"],
}
#: app label -> (model, permissions) organisers hold on other apps' models.
ORGANISER_PERMISSIONS = {
    # Proposals are the associations': organisers read and correct them (their state changes in
    # the back office's review only, programme/admin.py).
    "programme": [("proposal", ["view", "change"]), ("proposalslot", ["view", "change"]), ("proposalnote", ["view"])],
    "registrations": [("registration", ["view", "change"]), ("checkin", ["view"])],
    # The outbox: see every e-mail; "change" is sending a failed one again (its content is
    # never edited, notifications/admin.py).
    "notifications": [("message", ["view", "change"])],
}


def ensure_groups(**kwargs) -> None:
    """Make the groups, and give organisers exactly the permissions above: set, not
    added to, so that a permission this code no longer grants (the API tokens, which
    older versions gave) is taken back from existing deployments too."""
    organisers, _ = Group.objects.get_or_create(name=ORGANISERS)
    perms = Permission.objects.none()
    for app_label, models in ORGANISER_MODELS.items():
        perms = perms | Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models)
    for app_label, grants in ORGANISER_PERMISSIONS.items():
        for model, actions in grants:
            perms = perms | Permission.objects.filter(
                content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]
            )
    organisers.permissions.set(perms)
    Group.objects.get_or_create(name=DOOR_STAFF)


def is_organiser(user) -> bool:
    """An organiser or a superuser. The answer is kept on the user object, which lives as long
    as the request (a changed role counts from the next one)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_organiser"):
        user._is_organiser = user.is_superuser or user.groups.filter(name=ORGANISERS).exists()
    return user._is_organiser


def is_member(user, association) -> bool:
    """Whether `user` is a member of `association` (never an anonymous user)."""
    return bool(user.is_authenticated and association.members.filter(pk=user.pk).exists())


def member_associations(user):
    """The associations `user` is a member of (none for an anonymous user)."""
    from .models import Association

    if not user.is_authenticated:
        return Association.objects.none()
    return Association.objects.filter(members=user).order_by("name")
