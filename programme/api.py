"""The events API: `/api/v1/events/` (SPEC section 5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from common.schema import errors
from common.site import absolute_url

from . import services
from .cache import cached_fragments, cached_public_answer
from .filters import EventFilter, ProposalFilter
from .models import Association, Category, Edition, Event, Proposal, ProposalNote, Venue, speaks_flags
from .roles import is_organiser, member_associations
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
            attrs.update(speaks_flags(languages))
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


# --- Proposals (SPEC section 5, "Proposals") -----------------------------------------------------


class ProposalSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()

    def validate(self, attrs: dict) -> dict:
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise ValidationError({"ends_at": [_("The end must be after the start.")]})
        return attrs


class ProposalHistorySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProposalNote.Kind.choices)
    state = serializers.ChoiceField(choices=Proposal.State.choices)
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    message = serializers.CharField(source="text", allow_blank=True)


def _author(user) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal as its association and the organisers see it; its association writes it."""

    edition = serializers.SlugRelatedField(slug_field="slug", queryset=Edition.objects.all())
    association = serializers.PrimaryKeyRelatedField(queryset=Association.objects.all(), required=False)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all(), allow_null=True, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CODES), allow_empty=False, required=False, max_length=5
    )
    slots = ProposalSlotSerializer(many=True, required=False, max_length=services.MAX_SLOTS)
    history = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "edition",
            "association",
            "state",
            "title",
            "summary",
            *(f"{name}_{lang}" for name in ("title", "summary", "description") for lang in ("fr", "nl", "en")),
            "category",
            "slots",
            "venue",
            "venue_wish",
            "venue_address",
            "venue_accessibility",
            "expected_audience",
            "capacity",
            "languages",
            "accessibility",
            "technical_needs",
            "contact_name",
            "contact_email",
            "contact_phone",
            "history",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "title", "summary", "created_at", "updated_at"]

    @extend_schema_field(ProposalHistorySerializer(many=True))
    def get_history(self, proposal: Proposal) -> list[dict]:
        """Changes of state and messages; the team's internal comments for organisers only."""
        internal = is_organiser(self.context["request"].user)
        notes = [n for n in proposal.notes.all() if internal or n.kind != ProposalNote.Kind.COMMENT]
        return [{"kind": n.kind, "state": n.state, "at": n.at, "by": _author(n.by), "message": n.text} for n in notes]

    def to_representation(self, proposal: Proposal) -> dict:
        data = super().to_representation(proposal)
        data["languages"] = proposal.languages
        data["slots"] = ProposalSlotSerializer(proposal.slots.all(), many=True).data
        return data

    def validate_languages(self, value: list[str]) -> list[str]:
        if "none" in value and len(value) > 1:
            raise ValidationError(_("“none” cannot be combined with a language."))
        return value

    def validate(self, attrs: dict) -> dict:
        languages = attrs.pop("languages", None)
        if languages is not None:
            attrs.update(speaks_flags(languages))
        if self.instance is not None:
            for name in ("edition", "association"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise ValidationError({name: [_("A proposal cannot move to another edition or association.")]})
        return attrs

    @staticmethod
    def _slots(validated: dict) -> list[tuple] | None:
        slots = validated.pop("slots", None)
        return None if slots is None else [(s["starts_at"], s["ends_at"]) for s in slots]

    def create(self, validated: dict) -> Proposal:
        user = self.context["request"].user
        slots = self._slots(validated) or []
        edition, association = validated.pop("edition"), validated.pop("association", None)
        if association is None:
            mine = list(member_associations(user)[:2])
            if not mine:
                raise ProposalForbidden(_("Only members of the association can do this."))
            if len(mine) > 1:
                raise ValidationError({"association": [_("Say which of your associations proposes it.")]})
            association = mine[0]
        return _proposal_call(
            services.proposal_create,
            edition=edition,
            association=association,
            user=user,
            data=validated,
            slots=slots,
        )

    def update(self, proposal: Proposal, validated: dict) -> Proposal:
        slots = self._slots(validated)
        validated.pop("edition", None)
        validated.pop("association", None)
        return _proposal_call(
            services.proposal_update, proposal=proposal, user=self.context["request"].user, data=validated, slots=slots
        )


class ProposalConflict(APIException):
    """409: what the proposal's state or the user's role does not allow (services.ProposalError)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, error: services.ProposalError):
        super().__init__()
        self.detail = {"code": error.code, "detail": str(error.message)}


class ProposalConflictSerializer(serializers.Serializer):
    """Documents ProposalConflict's body (and VenueTaken's, which adds `event`)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    event = inline_serializer(
        "ClashingEventOfProposal",
        {"id": serializers.IntegerField(), "title": serializers.CharField()},
        required=False,
    )


class ProposalForbidden(PermissionDenied):
    """403: not a member of the proposal's association."""


def _proposal_call(function, **kwargs):
    """Call a proposal service; its refusals as API answers: not a member 403, a venue taken
    409 venue_clash, any other refusal 409 {code, detail}, invalid fields 400."""
    try:
        return function(**kwargs)
    except services.ProposalError as exc:
        if exc.code == "not_member":
            raise ProposalForbidden(exc.message) from exc
        raise ProposalConflict(exc) from exc
    except services.VenueClash as exc:
        raise VenueTaken(exc) from exc
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


class CanSeeProposals(permissions.BasePermission):
    message = _("Only organisers and members of an association can see proposals.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user.is_authenticated and (is_organiser(user) or member_associations(user).exists()))


class ProposalTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    message = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    venue = serializers.PrimaryKeyRelatedField(
        queryset=Venue.objects.all(), required=False, allow_null=True, help_text=_("accept: the events' venue")
    )


@extend_schema_view(
    list=extend_schema(responses={200: ProposalSerializer(many=True), **errors(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: ProposalSerializer, **errors(401, 403, 404)}),
    create=extend_schema(
        responses={201: ProposalSerializer, **errors(400, 401, 403, 413), 409: ProposalConflictSerializer}
    ),
    partial_update=extend_schema(
        responses={200: ProposalSerializer, **errors(400, 401, 403, 404, 413), 409: ProposalConflictSerializer}
    ),
)
class ProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Associations' proposals for an edition's call. Members of an association see and write
    their association's; organisers see all and decide (`transitions/`)."""

    serializer_class = ProposalSerializer
    permission_classes = [CanSeeProposals]
    filterset_class = ProposalFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        queryset = Proposal.objects.select_related("edition", "association", "category").prefetch_related(
            "slots", "notes__by"
        )
        user = self.request.user
        if not is_organiser(user):
            queryset = queryset.filter(association__in=member_associations(user))
        return queryset.order_by("-updated_at", "-pk")

    @extend_schema(
        request=ProposalTransitionSerializer,
        responses={200: ProposalSerializer, **errors(400, 401, 403, 404), 409: ProposalConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Change the proposal's state: submit, withdraw (its association), request_changes,
        accept, reject (organisers, not of that association). Accepting makes one draft event per
        slot, in `venue` or the proposal's. A transition not allowed from its state or for the
        user's role is a 409 {code, detail}."""
        proposal = self.get_object()
        serializer = ProposalTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            proposal = services.proposal_transition(
                proposal=proposal,
                action=serializer.validated_data["action"],
                user=request.user,
                message=serializer.validated_data.get("message", ""),
                venue=serializer.validated_data.get("venue"),
            )
        except services.ProposalError as exc:
            raise ProposalConflict(exc) from exc
        except services.VenueClash as exc:
            raise VenueTaken(exc) from exc
        return Response(ProposalSerializer(self.get_queryset().get(pk=proposal.pk), context={"request": request}).data)


router.register("proposals", ProposalViewSet, basename="proposal")
