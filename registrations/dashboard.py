"""The organisers' dashboard (`/<lang>/backoffice/dashboard/`): the current edition's statistics
(registrations.selectors.edition_stats) grouped per day, category and venue, each event's fill
rate as a chart drawn on the server, registrations over time, and the events that need a look. A
constant number of queries, however many events and registrations: the selector's two, one for
the events' categories and venues, two for the days of registrations and cancellations."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from programme.access import organiser_required
from programme.models import Event
from programme.selectors import current_edition

from .models import Registration
from .selectors import STAT_FIELDS, edition_stats

#: What is summed per day, category and venue.
SUMMED = (*STAT_FIELDS, "capacity")
#: "Nearly full": a fill rate from this on.
NEARLY_FULL = 0.9
#: "Few registrations soon": starting within this of now, filled below LOW_FILL.
SOON = timedelta(days=3)
LOW_FILL = 0.25

#: Each list of what to look at shows its first this many (in time order); the table per activity
#: below has them all.
ALERT_ROWS = 20

#: The fill-rate chart, in the SVG's own units (its viewBox; it scales to the page's width).
CHART_WIDTH = 600
CHART_ROW = 44
CHART_BAR = 16
CHART_BAR_WIDTH = 480


def fill_rate(seats_taken: int, capacity: int | None) -> float | None:
    """Seats taken over capacity; None for an event without seats to book."""
    if not capacity:
        return None
    return seats_taken / capacity


def _group(rows: list[dict], key: str, label: str) -> list[dict]:
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(row[key], {"label": row[label], "events": 0, **dict.fromkeys(SUMMED, 0)})
        group["events"] += 1
        for name in SUMMED:
            group[name] += row[name] or 0
    for group in groups.values():
        group["fill"] = fill_rate(group["seats_taken"], group["capacity"])
        group["percent"] = _percent(group["fill"])
    return list(groups.values())


def _percent(fill: float | None) -> int | None:
    return None if fill is None else round(fill * 100)


def _chart(groups: list[dict], label) -> dict:
    """The bars of a fill-rate chart: one per group with seats (`label(group)` names it), its
    width in viewBox units."""
    bars = []
    for n, group in enumerate(g for g in groups if g["fill"] is not None):
        top = n * CHART_ROW
        width = round(min(group["fill"], 1) * CHART_BAR_WIDTH, 1)
        bars.append(
            {
                "label": label(group),
                "percent": group["percent"],
                "label_y": top + 16,
                "bar_y": top + 22,
                "width": width,
                "value_x": width + 6,
                "value_y": top + 22 + CHART_BAR - 3,
                "full": group["fill"] >= NEARLY_FULL,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars) * CHART_ROW, CHART_ROW),
        "bar_height": CHART_BAR,
        "track": CHART_BAR_WIDTH,
    }


#: The registrations-over-time chart, in viewBox units.
TIME_CHART_WIDTH = 600
TIME_CHART_HEIGHT = 160


def over_time(edition) -> list[dict]:
    """Registrations over time, one row per day (Brussels) from the first registration to the
    last change: `made` registrations and their `seats` asked that day, `cancelled` ones and
    their `freed` seats, and `held`, the seats asked and not cancelled at the end of the day
    (confirmed or waiting). Days without a change are rows too, so that the chart's time is
    even. Two queries, however many registrations."""
    tz = timezone.get_default_timezone()
    registrations = Registration.objects.filter(event__edition=edition).order_by()

    def per_day(field: str, queryset) -> dict[date, dict]:
        rows = queryset.annotate(day=TruncDate(field, tzinfo=tz)).values("day").annotate(n=Count("pk"), s=Sum("seats"))
        return {row["day"]: row for row in rows}

    made = per_day("created_at", registrations)
    cancelled = per_day("cancelled_at", registrations.filter(cancelled_at__isnull=False))
    if not made:
        return []
    first, last = min(made), max([*made, *cancelled])
    rows, held = [], 0
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        new, gone = made.get(day, {}), cancelled.get(day, {})
        held += (new.get("s") or 0) - (gone.get("s") or 0)
        rows.append(
            {
                "day": day,
                "made": new.get("n", 0),
                "seats": new.get("s") or 0,
                "cancelled": gone.get("n", 0),
                "freed": gone.get("s") or 0,
                "held": held,
            }
        )
    return rows


def _time_chart(rows: list[dict]) -> dict:
    """One bar per day: the seats held at its end, scaled to the highest."""
    top = max((row["held"] for row in rows), default=0)
    step = TIME_CHART_WIDTH / max(len(rows), 1)
    bars = []
    for n, row in enumerate(rows):
        height = round(row["held"] / top * TIME_CHART_HEIGHT, 1) if top else 0
        bars.append(
            {
                "row": row,
                "x": round(n * step, 1),
                "y": round(TIME_CHART_HEIGHT - height, 1),
                "width": round(max(step - 1, 0.5), 1),
                "height": height,
            }
        )
    return {
        "bars": bars,
        "width": TIME_CHART_WIDTH,
        "height": TIME_CHART_HEIGHT,
        "top": top,
        "first": rows[0]["day"] if rows else None,
        "last": rows[-1]["day"] if rows else None,
    }


def dashboard_stats(edition, *, now) -> dict:
    """edition_stats, each event with its category, venue, local day and fill rate, and:
    `days`, `categories`, `venues`: the published events' sums (SUMMED) per group, in order of
    day, then of first appearance; `nearly_full`: published events not ended, filled to 90 % or
    more; `second_session`: published events whose waiting list holds at least half their
    capacity; `few_soon`: published events starting within 3 days of `now`, filled below 25 %."""
    stats = edition_stats(edition, now=now)
    rows = stats["events"]
    places = {
        event.pk: event
        for event in Event.objects.filter(pk__in=[row["id"] for row in rows])
        .select_related("category", "venue")
        .only("pk", "category", "venue")
        .order_by()
    }
    for row in rows:
        event = places[row["id"]]
        row["category_id"], row["category"] = event.category_id, event.category.name
        row["venue_id"], row["venue"] = event.venue_id, event.venue.name
        row["day"] = timezone.localtime(row["starts_at"]).date()
        row["fill"] = fill_rate(row["seats_taken"], row["capacity"])
        row["percent"] = _percent(row["fill"])
    published = [row for row in rows if row["status"] == Event.Status.PUBLISHED]
    with_seats = [row for row in published if row["fill"] is not None]
    days = _group(sorted(published, key=lambda row: row["day"]), "day", "day")
    categories = _group(published, "category_id", "category")
    return {
        **stats,
        "days": days,
        "categories": categories,
        "venues": _group(published, "venue_id", "venue"),
        "nearly_full": [row for row in with_seats if not row["ended"] and row["fill"] >= NEARLY_FULL],
        "second_session": [row for row in with_seats if row["waitlisted_seats"] * 2 >= row["capacity"]],
        "few_soon": [row for row in with_seats if now <= row["starts_at"] <= now + SOON and row["fill"] < LOW_FILL],
        "day_chart": _chart(days, lambda group: formats.date_format(group["label"], "D j M")),
        "category_chart": _chart(categories, lambda group: str(group["label"])),
    }


def with_time(stats: dict, edition) -> dict:
    days = over_time(edition)
    return {**stats, "over_time": days, "time_chart": _time_chart(days)}


@never_cache
@require_safe
@organiser_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The current edition at a glance: totals, registrations over time, fill rates per day and
    category, the sums per day, category and venue, and what to look at. Every activity's numbers
    are on a page of their own (`dashboard_activities`): 500 rows are no glance, least on a phone."""
    edition = current_edition()
    context = {"section": "dashboard", "edition": edition, "stats": None}
    if edition is not None:
        stats = with_time(dashboard_stats(edition, now=timezone.now()), edition)
        context["stats"] = stats
        context["alerts"] = [
            (slug, heading, rows[:ALERT_ROWS], max(len(rows) - ALERT_ROWS, 0))
            for slug, heading, rows in (
                (
                    "nearly-full",
                    _("Nearly full: 90 per cent of the seats taken or more, not yet over"),
                    stats["nearly_full"],
                ),
                ("second-session", _("The waiting list could fill a second session"), stats["second_session"]),
                ("few-soon", _("Few registrations (under 25 per cent), starting within 3 days"), stats["few_soon"]),
            )
        ]
        context["charts"] = [
            ("days", _("Fill rate per day"), stats["day_chart"]),
            ("categories", _("Fill rate per category"), stats["category_chart"]),
        ]
        context["groupings"] = [
            ("days", _("Per day"), _("Day"), stats["days"]),
            ("categories", _("Per category"), _("Category"), stats["categories"]),
            ("venues", _("Per venue"), _("Venue"), stats["venues"]),
        ]
    return render(request, "backoffice/dashboard.html", context)


@never_cache
@require_safe
@organiser_required
def dashboard_activities(request: HttpRequest) -> HttpResponse:
    """Every activity of the current edition with its fill rate, waiting list, check-ins and
    no-shows (the dashboard's numbers, activity by activity)."""
    edition = current_edition()
    context = {"section": "dashboard", "edition": edition, "stats": None}
    if edition is not None:
        context["stats"] = dashboard_stats(edition, now=timezone.now())
    return render(request, "backoffice/dashboard_activities.html", context)
