"""The events API: `/api/v1/events/` (SPEC section 5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, routers, serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError

from common.schema import errors
from common.site import absolute_url

from . import services
from .cache import cached_fragments, cached_public_answer
from .filters import EventFilter
from .models import Association, Category, Edition, Event, Venue
from .roles import is_organiser
from .selectors import current_edition, event_queryset, public_events

LANGUAGE_CODES = [code for code, _label in Event.LANGUAGES]


class IsOrganiserOrReadOnly(permissions.BasePermission):
    message = _("Only organisers can change the programme.")

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_organiser(request.user)


class VenueTaken(APIException):
    """409: the event would be in its venue while another one is (services.VenueClash)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = services.VenueClash.code

    def __init__(self, clash: services.VenueClash):
        super().__init__()
        # Set after: APIException would turn the id into a string.
        self.detail = {
            "code": self.default_code,
            "detail": str(clash.message),
            "event": {"id": clash.other.pk, "title": clash.other.title},
        }


class VenueClashSerializer(serializers.Serializer):
    """Documents VenueTaken's body."""

    code = serializers.ChoiceField(choices=[services.VenueClash.code])
    detail = serializers.CharField()
    event = inline_serializer("ClashingEvent", {"id": serializers.IntegerField(), "title": serializers.CharField()})


class VenueSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "name", "address"]


class EventSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    venue = VenueSummarySerializer(read_only=True)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=LANGUAGE_CODES), read_only=True)
    seats_left = serializers.IntegerField(read_only=True, allow_null=True)
    registration_status = serializers.ChoiceField(choices=Event.RegistrationStatus.choices, read_only=True)
    url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "category",
            "starts_at",
            "ends_at",
            "venue",
            "languages",
            "capacity",
            "seats_left",
            "registration_status",
            "url",
            "ics_url",
        ]

    @extend_schema_field(serializers.URLField)
    def get_url(self, event: Event) -> str:
        return absolute_url(event.get_absolute_url())

    @extend_schema_field(serializers.URLField)
    def get_ics_url(self, event: Event) -> str:
        return absolute_url(reverse("calendar:event", kwargs={"pk": event.pk}))


class EventDetailSerializer(EventSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    association = serializers.CharField(source="association.name", read_only=True, allow_null=True)

    class Meta(EventSerializer.Meta):
        fields = [
            *EventSerializer.Meta.fields,
            "edition",
            "association",
            "summary",
            "description",
            "status",
            "max_seats_per_registration",
            "registration_opens_at",
            "registration_closes_at",
            "waitlist_enabled",
            "sequence",
        ]


class EventWriteSerializer(serializers.ModelSerializer):
    """What organisers send to create or change an event. Texts come per language."""

    edition = serializers.SlugRelatedField(slug_field="slug", queryset=Edition.objects.all())
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all())
    association = serializers.PrimaryKeyRelatedField(
        queryset=Association.objects.all(), allow_null=True, required=False
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CODES), allow_empty=False, required=False, max_length=5
    )

    class Meta:
        model = Event
        fields = [
            "edition",
            "association",
            "category",
            "title_fr",
            "title_nl",
            "title_en",
            "summary_fr",
            "summary_nl",
            "summary_en",
            "description_fr",
            "description_nl",
            "description_en",
            "languages",
            "venue",
            "starts_at",
            "ends_at",
            "capacity",
            "max_seats_per_registration",
            "registration_opens_at",
            "registration_closes_at",
            "waitlist_enabled",
            "status",
        ]
        extra_kwargs = {"title_fr": {"required": False}, "title_nl": {"required": False}}

    def validate_languages(self, value: list[str]) -> list[str]:
        if "none" in value and len(value) > 1:
            raise ValidationError(_("“none” cannot be combined with a language."))
        return value

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        titles = [
            attrs.get(f"title_{lang}", getattr(instance, f"title_{lang}", None)) or "" for lang in ("fr", "nl", "en")
        ]
        if not any(title.strip() for title in titles):
            raise ValidationError({"title_fr": [_("Give a title in at least one language.")]})
        # The database refuses these too, but with a message that names a constraint, not a field.
        starts_at = attrs.get("starts_at", getattr(instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(instance, "ends_at", None))
        if starts_at and ends_at and ends_at <= starts_at:
            raise ValidationError({"ends_at": [_("The end must be after the start.")]})
        opens_at = attrs.get("registration_opens_at", getattr(instance, "registration_opens_at", None))
        closes_at = attrs.get("registration_closes_at", getattr(instance, "registration_closes_at", None))
        if opens_at and closes_at and closes_at <= opens_at:
            raise ValidationError({"registration_closes_at": [_("Registration must close after it opens.")]})
        languages = attrs.pop("languages", None)
        if languages is not None:
            for code in ("fr", "nl", "en", "other"):
                attrs[f"speaks_{code}"] = code in languages
        return attrs

    def create(self, validated_data: dict) -> Event:
        try:
            return services.event_create(data=validated_data)
        except services.VenueClash as exc:
            raise VenueTaken(exc) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc

    def update(self, instance: Event, validated_data: dict) -> Event:
        try:
            return services.event_update(event=instance, data=validated_data)
        except services.VenueClash as exc:
            raise VenueTaken(exc) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc

    def to_representation(self, instance: Event) -> dict:
        return EventDetailSerializer(instance, context=self.context).data


@extend_schema_view(
    list=extend_schema(responses={200: EventSerializer(many=True), **errors(400, 404)}),
    retrieve=extend_schema(responses={200: EventDetailSerializer, **errors(404)}),
    create=extend_schema(
        request=EventWriteSerializer,
        responses={201: EventDetailSerializer, **errors(400, 401, 403, 413), 409: VenueClashSerializer},
    ),
    partial_update=extend_schema(
        request=EventWriteSerializer,
        responses={200: EventDetailSerializer, **errors(400, 401, 403, 404, 413), 409: VenueClashSerializer},
    ),
)
@method_decorator(cached_public_answer, name="dispatch")
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The programme's events. Anyone reads published events of published editions;
    organisers also see drafts and cancelled events, and create and change events.
    Cancelling is `PATCH {"status": "cancelled"}`."""

    permission_classes = [IsOrganiserOrReadOnly]
    filterset_class = EventFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no database
            return Event.objects.none()
        queryset = event_queryset() if is_organiser(self.request.user) else public_events()
        if self.action == "list" and not self.request.query_params.get("edition"):
            edition = current_edition()
            queryset = queryset.filter(edition=edition) if edition else queryset.none()
        return queryset.order_by("starts_at", "pk")

    def list(self, request, *args, **kwargs):
        # Paginate the events' (id, updated_at) rows, then build each item once per
        # version of its event (see programme.cache). No docstring: it would replace
        # the class's in the API documentation.
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("pk", "updated_at"))
        items = cached_fragments(rows, kind="api-event", build=self._serialize)
        return self.get_paginated_response([items[pk] for pk, _updated in rows])

    def _serialize(self, pks: list[int]) -> dict[int, dict]:
        events = list(Event.objects.select_related("venue", "category").filter(pk__in=pks))
        # One serializer for all of them: DRF builds a serializer's fields once per instance.
        items = EventSerializer(events, many=True, context=self.get_serializer_context()).data
        return {item["id"]: item for item in items}

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return EventWriteSerializer
        if self.action == "retrieve":
            return EventDetailSerializer
        return EventSerializer


router = routers.DefaultRouter()
router.register("events", EventViewSet, basename="event")
