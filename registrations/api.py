"""Registrations and check-in API (SPEC section 5)."""

from __future__ import annotations

import csv

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import Pagination
from common.ratelimit import REGISTRATION_RATE_LIMITED, registration_rate_limited
from common.schema import errors
from common.site import absolute_url
from programme.models import Edition, Event
from programme.roles import is_organiser

from . import selectors, services
from .audit import record_access
from .links import registration_links
from .models import AccessLog, CheckIn, Registration, normalise_name
from .portal import csv_safe
from .tickets import public_key_b64


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, error: services.RegistrationError | services.CheckInError):
        super().__init__(detail={"code": error.code, "detail": str(error.message)})


class RateLimited(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = REGISTRATION_RATE_LIMITED
    default_code = "rate_limited"


class IsDoorStaffOrOrganiser(permissions.BasePermission):
    message = _("Only door staff and organisers can check tickets in.")

    def has_permission(self, request, view) -> bool:
        return selectors.can_check_in(request.user)


class RegistrationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    seats = serializers.IntegerField(min_value=1, max_value=50, default=1)
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES], required=False)
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The attendee accepted the privacy notice (/<lang>/privacy/): the registration keeps when, "
        "and the notice's version.",
    )

    def validate_name(self, value: str) -> str:
        name = normalise_name(value)
        if not name:
            raise serializers.ValidationError(_("Give a name."))
        return name


class RegistrationCreatedSerializer(serializers.Serializer):
    """A new registration. Its links carry a secret: the id or the booking code alone opens none of them."""

    # Documents the answer; registration_answer() builds it.

    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED])
    seats = serializers.IntegerField()
    ticket_url = serializers.URLField()
    qr_url = serializers.URLField()
    ics_url = serializers.URLField()
    manage_url = serializers.URLField()


def registration_answer(registration: Registration, request) -> dict:
    """What POST .../registrations/ answers (RegistrationCreatedSerializer documents it;
    built by hand because this is the hot path of a registration rush)."""
    links = registration_links(registration)
    return {
        "id": registration.pk,
        "code": registration.code,
        "status": registration.status,
        "seats": registration.seats,
        **{name: absolute_url(links[name]) for name in ("ticket_url", "qr_url", "ics_url", "manage_url")},
    }


class RegistrationListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = [
            "id",
            "code",
            "name",
            "email",
            "seats",
            "language",
            "status",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
        ]


ERROR_SCHEMA = inline_serializer(
    "RegistrationConflict", {"code": serializers.CharField(), "detail": serializers.CharField()}
)


def _event_whose_registrations_are_visible(request, event_id: int) -> Event:
    """The event, if it exists (404) and the user may see its registrations (403)."""
    event = get_object_or_404(Event.objects.select_related("association"), pk=event_id)
    if not selectors.can_see_registrations(request.user, event):
        raise PermissionDenied(_("Only organisers and the activity's association can see its registrations."))
    return event


class EventRegistrations(APIView):
    """Register for an event (anyone); list its registrations (organisers and the event's association)."""

    pagination_class = Pagination  # for the list (the schema wraps it too)

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationCreatedSerializer,
            **errors(400, 404),
            409: ERROR_SCHEMA,
            **errors(413, 429),
        },
        operation_id="events_registrations_create",
    )
    def post(self, request, event_id: int):
        if registration_rate_limited(request):
            raise RateLimited()
        serializer = RegistrationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            registration = services.registration_create(
                event_id=event_id,
                name=data["name"],
                email=data["email"],
                seats=data["seats"],
                language=data.get("language") or request.LANGUAGE_CODE,
                consent=data["consent"],
            )
        except services.SeatsError as exc:
            raise serializers.ValidationError({"seats": [services.seats_error(exc.maximum)]}) from exc
        except services.RegistrationError as exc:
            if exc.code == "event_not_found":
                return Response({"detail": str(exc.message)}, status=status.HTTP_404_NOT_FOUND)
            raise Conflict(exc) from exc
        return Response(registration_answer(registration, request), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: RegistrationListSerializer(many=True), **errors(400, 401, 403, 404)},
        parameters=[OpenApiParameter("status", str, enum=[s for s, _l in Registration.Status.choices])],
        operation_id="events_registrations_list",
    )
    def get(self, request, event_id: int):
        event = _event_whose_registrations_are_visible(request, event_id)
        queryset = selectors.event_registrations(event)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in Registration.Status.values:
                raise serializers.ValidationError({"status": [_("Unknown status.")]})
            queryset = queryset.filter(status=wanted)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        record_access(
            user=request.user, channel=AccessLog.Channel.API, action=AccessLog.Action.VIEW, event=event, rows=len(page)
        )
        return paginator.get_paginated_response(RegistrationListSerializer(page, many=True).data)


class EventRegistrationDetail(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None, **errors(401, 403, 404), 409: ERROR_SCHEMA})
    def delete(self, request, event_id: int, registration_id: int):
        """Cancel a registration (organisers): frees its seats and promotes the waiting list."""
        if not is_organiser(request.user):
            return Response({"detail": _("Only organisers can cancel registrations.")}, status=403)
        registration = get_object_or_404(Registration, pk=registration_id, event_id=event_id)
        try:
            services.registration_cancel(registration_id=registration.pk, by=Registration.CancelledBy.ORGANISER)
        except services.RegistrationError as exc:
            raise Conflict(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventRegistrationsExport(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The registrations, as CSV."),
            **errors(401, 403, 404),
        }
    )
    def get(self, request, event_id: int):
        """The event's registrations as a CSV file (organisers and the event's association)."""
        event = _event_whose_registrations_are_visible(request, event_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registrations-event-{event.pk}.csv"'
        response.write("\ufeff")  # so that spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Booking code"),
                _("Name"),
                _("E-mail"),
                _("Seats"),
                _("Language"),
                _("Status"),
                _("Registered at"),
                _("Checked in at"),
            ]
        )
        rows = 0
        for r in selectors.event_registrations(event).iterator():
            rows += 1
            writer.writerow(
                [
                    r.code,
                    csv_safe(r.name),
                    csv_safe(r.email),
                    r.seats,
                    r.language,
                    r.get_status_display(),
                    timezone.localtime(r.created_at).isoformat(timespec="seconds"),
                    timezone.localtime(r.checked_in_at).isoformat(timespec="seconds") if r.checked_in_at else "",
                ]
            )
        record_access(
            user=request.user, channel=AccessLog.Channel.API, action=AccessLog.Action.EXPORT, event=event, rows=rows
        )
        return response


class CheckInRequestSerializer(serializers.Serializer):
    secret = serializers.CharField(max_length=500, required=False)
    registration = serializers.IntegerField(min_value=1, required=False)
    event = serializers.IntegerField(min_value=1)
    nonce = serializers.CharField(max_length=64, required=False, allow_blank=False)

    def validate(self, attrs):
        if ("secret" in attrs) == ("registration" in attrs):
            raise serializers.ValidationError(_("Give either the ticket's secret or a registration id."))
        return attrs


class CheckInRegistrationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    seats = serializers.IntegerField()
    event = serializers.IntegerField(source="event_id")


class CheckInTicketEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()


class CheckInResponseSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=CheckIn.Result.choices)
    registration = CheckInRegistrationSerializer(allow_null=True)
    first_checked_in_at = serializers.DateTimeField(allow_null=True)
    ticket_event = CheckInTicketEventSerializer(
        required=False,
        help_text="Only when the result is `wrong_event`: the activity the ticket is for, so that the door can "
        "send its holder there.",
    )


def _ticket_event(event_id: int) -> dict:
    """The activity a ticket scanned at another activity's door is for (its title in the request's language)."""
    event = Event.objects.get(pk=event_id)
    return {"id": event.pk, "title": event.title, "starts_at": timezone.localtime(event.starts_at).isoformat()}


class CheckIns(APIView):
    permission_classes = [IsDoorStaffOrOrganiser]

    @extend_schema(
        request=CheckInRequestSerializer,
        responses={
            200: CheckInResponseSerializer,
            **errors(400, 401, 403),
            409: OpenApiResponse(
                ERROR_SCHEMA,
                description="`nonce_reused`: the nonce was already used for another request (another ticket, "
                "activity or user); nothing was checked in. The same request repeated gets its first answer.",
            ),
            **errors(413),
        },
    )
    def post(self, request):
        """Check a ticket in: {secret, event, nonce?} for a scanned QR code, or
        {registration, event, nonce?} for an attendee found by name or booking code."""
        serializer = CheckInRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        device = request.headers.get("X-Device", "") or request.headers.get("User-Agent", "")
        common = {"event_id": data["event"], "nonce": data.get("nonce"), "user": request.user, "device": device}
        try:
            if "secret" in data:
                scan = services.checkin_scan(secret=data["secret"], **common)
            else:
                scan = services.checkin_manual(registration_id=data["registration"], **common)
        except services.UnknownEvent:
            raise serializers.ValidationError({"event": [_("Unknown activity.")]}) from None
        except services.CheckInError as exc:
            raise Conflict(exc) from exc
        registration = scan.registration if scan.result != CheckIn.Result.INVALID else None
        # Built by hand (CheckInResponseSerializer documents it): this answers every scan at the door.
        first = scan.first_checked_in_at
        answer = {
            "result": scan.result,
            "registration": registration
            and {
                "code": registration.code,
                "name": registration.name,
                "seats": registration.seats,
                "event": registration.event_id,
            },
            "first_checked_in_at": first and timezone.localtime(first).isoformat(),
        }
        if scan.result == CheckIn.Result.WRONG_EVENT:
            answer["ticket_event"] = _ticket_event(registration.event_id)
        return Response(answer)


class CheckInStats(APIView):
    permission_classes = [IsDoorStaffOrOrganiser]

    @extend_schema(
        responses={
            200: inline_serializer(
                "CheckInStats",
                {
                    "event": serializers.IntegerField(),
                    "checked_in_seats": serializers.IntegerField(),
                    "expected_seats": serializers.IntegerField(),
                    "checked_in_registrations": serializers.IntegerField(),
                    "expected_registrations": serializers.IntegerField(),
                },
            ),
            **errors(401, 403, 404),
        }
    )
    def get(self, request, event_id: int):
        """Checked in against expected, for the door's live counter."""
        event = get_object_or_404(Event, pk=event_id)
        return Response({"event": event.pk, **selectors.checkin_counts(event)})


class AttendeeSearch(APIView):
    permission_classes = [IsDoorStaffOrOrganiser]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, pattern=r"\S.*\S", description="Name or booking code, 2+ characters."
            )
        ],
        responses={
            200: inline_serializer(
                "Attendee",
                {
                    "id": serializers.IntegerField(),
                    "code": serializers.CharField(),
                    "name": serializers.CharField(),
                    "seats": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "checked_in_at": serializers.DateTimeField(allow_null=True),
                },
                many=True,
            ),
            **errors(400, 401, 403, 404),
        },
    )
    def get(self, request, event_id: int):
        """Find attendees of an event by name or booking code (what the door needs, nothing more):
        cancelled registrations too, after the others, so that the door can say why they cannot come in."""
        event = get_object_or_404(Event, pk=event_id)
        query = request.query_params.get("q", "").strip()
        if len(query) < 2:
            raise serializers.ValidationError({"q": [_("Type at least 2 characters.")]})
        try:
            ProhibitNullCharactersValidator()(query)  # PostgreSQL refuses them: a 500, not a 400
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"q": exc.messages}) from exc
        found = list(selectors.attendee_search(event, query)[:20])
        record_access(
            user=request.user, channel=AccessLog.Channel.API, action=AccessLog.Action.VIEW, event=event, rows=len(found)
        )
        return Response(
            [
                {
                    "id": r.pk,
                    "code": r.code,
                    "name": r.name,
                    "seats": r.seats,
                    "status": r.status,
                    # Like every time of the API: ISO 8601 in Brussels time, not UTC.
                    "checked_in_at": serializers.DateTimeField().to_representation(r.checked_in_at)
                    if r.checked_in_at
                    else None,
                }
                for r in found
            ]
        )


class TicketPublicKey(APIView):
    permission_classes = [IsDoorStaffOrOrganiser]

    @extend_schema(
        responses={
            200: inline_serializer(
                "TicketPublicKey",
                {
                    "edition": serializers.CharField(),
                    "algorithm": serializers.CharField(),
                    "public_key": serializers.CharField(),
                },
            ),
            **errors(401, 403, 404),
        }
    )
    def get(self, request, slug: str):
        """The edition's Ed25519 public key (raw, base64), to verify tickets offline."""
        edition = get_object_or_404(Edition, slug=slug)
        return Response({"edition": edition.slug, "algorithm": "Ed25519", "public_key": public_key_b64(edition)})


class IsOrganiser(permissions.BasePermission):
    message = _("Only organisers can see the statistics.")

    def has_permission(self, request, view) -> bool:
        return is_organiser(request.user)


class EventStatsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
    starts_at = serializers.DateTimeField()
    ended = serializers.BooleanField()
    capacity = serializers.IntegerField(allow_null=True)
    seats_taken = serializers.IntegerField()
    waitlisted_seats = serializers.IntegerField()
    checked_in_seats = serializers.IntegerField()
    no_show_seats = serializers.IntegerField(help_text="Confirmed seats not checked in, once the event has ended.")


class EditionStatsSerializer(serializers.Serializer):
    edition = serializers.CharField()
    events = EventStatsSerializer(many=True)
    totals = inline_serializer(
        "EditionTotals",
        {
            "events": serializers.IntegerField(),
            "capacity": serializers.IntegerField(),
            "seats_taken": serializers.IntegerField(),
            "waitlisted_seats": serializers.IntegerField(),
            "checked_in_seats": serializers.IntegerField(),
            "no_show_seats": serializers.IntegerField(),
        },
    )


class EditionStats(APIView):
    permission_classes = [IsOrganiser]

    @extend_schema(responses={200: EditionStatsSerializer, **errors(401, 403, 404)})
    def get(self, request, slug: str):
        """The edition's numbers (organisers): per published or cancelled event its capacity and
        seats taken, waitlisted, checked in and no-shows (after it ended), and the published
        events' totals."""
        edition = get_object_or_404(Edition, slug=slug)
        stats = selectors.edition_stats(edition, now=timezone.now())
        return Response(EditionStatsSerializer(stats).data)
