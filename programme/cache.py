"""Caching of the public programme's answers (the page, the events API, the feeds).

Every visitor without an account gets the same answer for the same URL in the
same language, so the rendered answer (its links built from SITE_URL, never from
the request's Host) is kept in the cache under a key that
holds a version of the programme: the latest change time of any event and the
number of events. Any change to an event, its seats included (the seat
counter's updates touch `updated_at`), makes a new version, so no visitor
sees stale seats; what does not touch an event (a venue renamed, a category
relabelled) and the passing of time (registration closing) show within
PROGRAMME_CACHE_SECONDS. Reading the version is one small query (a maximum and a
count of the events).

An event's version is its `updated_at`, or the moment its registration opened or
closed when that is later (event_version): what a card says of registration
("opens on Thursday at 10:00", "3 seats left", "closed") changes as time passes,
without a write, and a cached card, day or answer must not outlive it.

Under a registration rush every registration makes a new version, so the
answers are also built from per-event fragments (a programme card, an API
item) cached under each event's own `updated_at`: a new answer re-renders the
events that changed, not all of them.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, DateTimeField, F, IntegerField, Max, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import LessThanOrEqual
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags
from django.utils.translation import get_language

from .models import Event, Venue

_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Allow", "Vary", "ETag")


def cached_blocks(request: HttpRequest, groups, *, kind: str, build) -> list[str]:
    """One cached block of HTML per group of the answer's events (a day of the programme), in
    the current language, for `groups` of (name, latest updated_at, count) of its events.
    `build(names)` renders the blocks not in the cache, all at once: {name: html}.

    A block is kept under its group's version (the latest change and the number of its events,
    like programme_version) and the answer's query, so that a registration rebuilds the day
    of its event, whose other cards come from the cache, not the whole programme. Answers that
    cached_public_answer does not cache (free text, odd spellings) build their blocks afresh:
    no query may fill the cache.
    """
    query = getattr(request, _CACHEABLE_QUERY, None)
    if not settings.PROGRAMME_CACHE_SECONDS or query is None:
        built = build([name for name, _latest, _count in groups])
        return [built[name] for name, _latest, _count in groups]
    prefix = f"{kind}:{get_language()}:{hashlib.sha256(query.encode()).hexdigest()[:32]}"
    keys = [f"{prefix}:{name}:{latest.timestamp():.6f}:{count}" for name, latest, count in groups]
    found = cache.get_many(keys)
    missing = {key: name for key, (name, _latest, _count) in zip(keys, groups, strict=True) if key not in found}
    if missing:
        built = build(list(missing.values()))
        fresh = {key: built[name] for key, name in missing.items()}
        cache.set_many(fresh, timeout=settings.PROGRAMME_CACHE_SECONDS)
        found.update(fresh)
    return [found[key] for key in keys]


def cached_part(request: HttpRequest, *, key: str, build) -> str:
    """A part of an answer that cached_public_answer may keep (the programme's filters), kept
    under `key` in the current language; built afresh for answers it does not keep."""
    query = getattr(request, _CACHEABLE_QUERY, None)
    if not settings.PROGRAMME_CACHE_SECONDS or query is None:
        return build()
    key = f"part:{get_language()}:{hashlib.sha256(f'{request.path}?{query}:{key}'.encode()).hexdigest()}"
    return cache.get_or_set(key, build, timeout=settings.PROGRAMME_CACHE_SECONDS)


def cached_fragments(rows, *, kind: str, build) -> dict[int, object]:
    """One cached fragment per event, in the current language, for `rows` of (pk, version): its
    `updated_at`, or event_version where the fragment shows whether one can register.

    A fragment is kept under the event's own version, so that
    a change to one event (a seat taken) rebuilds that event's fragment only.
    `build(pks)` returns {pk: fragment} for the events not in the cache.
    """
    seconds = settings.PROGRAMME_CACHE_SECONDS
    if not seconds:
        return build([pk for pk, _updated in rows])
    language = get_language()
    keys = {pk: f"{kind}:{language}:{pk}:{updated.timestamp():.6f}" for pk, updated in rows}
    found = cache.get_many(list(keys.values()))
    fragments = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in fragments]
    if missing:
        fresh = build(missing)
        cache.set_many({keys[pk]: fragment for pk, fragment in fresh.items()}, timeout=seconds)
        fragments.update(fresh)
    return fragments


def placeholder(name: str) -> str:
    """A mark that stands for a part of a cached page filled in at each request (cached_page);
    derived from SECRET_KEY, so that no text typed into an activity can be taken for one."""
    return f"{name}-" + salted_hmac("fortnight.programme.placeholder", name).hexdigest()[:24]


CSRF_PLACEHOLDER = placeholder("csrf")


def content_version(*objects) -> str:
    """A digest of what `objects` (model instances, as loaded) hold, but for the seat counter and
    the time of the last change, which move with every registration: what a page shows of them
    besides its seats."""
    values = [
        (type(obj).__name__, [(f.attname, getattr(obj, f.attname)) for f in obj._meta.concrete_fields])
        for obj in objects
        if obj is not None
    ]
    text = repr(
        [(name, [(k, v) for k, v in fields if k not in ("seats_taken", "updated_at")]) for name, fields in values]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def cached_page(request: HttpRequest, *, key: str, build, live: dict[str, str]) -> str:
    """A page for anonymous visitors, built once for `key` (in the current language), with its
    `live` parts ({placeholder: html}: what moves with every registration, the seats) and each
    visitor's own CSRF token put in at each request. `build(csrf_token, parts)` renders the page
    with `csrf_token` in its forms and `parts` ({placeholder: text}) where the live parts go."""
    if _signed_in(request) or not settings.PROGRAMME_CACHE_SECONDS:
        return build(get_token(request), live)
    key = f"page:{get_language()}:{key}"
    html = cache.get_or_set(
        key, lambda: build(CSRF_PLACEHOLDER, {mark: mark for mark in live}), timeout=settings.PROGRAMME_CACHE_SECONDS
    )
    for mark, part in {CSRF_PLACEHOLDER: None, **live}.items():
        if mark in html:
            html = html.replace(mark, get_token(request) if part is None else part)
    return html


def event_version(now=None):
    """An expression: the event's `updated_at`, or when its registration opened, or closed (its
    closing time, else its start), if that has passed and is later: the version its cached
    fragments are kept under, so that one rendered before registration opens or closes is not
    served after."""
    now = now if isinstance(now, Value) else Value(now or timezone.now())
    passed = [F("registration_opens_at"), Coalesce("registration_closes_at", "starts_at")]
    return Greatest(
        "updated_at",
        *(Case(When(LessThanOrEqual(moment, now), then=moment), default=F("updated_at")) for moment in passed),
    )


def programme_version() -> str:
    return query_version("programme", _programme_state)


def _programme_state(now):
    return (
        Event.objects.order_by()
        .annotate(all=Value(1, output_field=IntegerField()))
        .values("all")
        .annotate(latest=Max(event_version(now)), count=Count("pk"))
        .values_list("latest", "count")
    )


#: Stands for the present in the version queries (query_version), compiled with it once.
_NOW_MARK = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_COMPILED: dict[tuple[str, str], tuple[str, list, object]] = {}


def query_version(name: str, build) -> str:
    """A digest of the rows of the version query `build(now)` (a queryset), read at each request.

    A shortcut kept for the `feed-programme-304` and `feed-programme-warm` rows of `make bench`
    (and `programme-page`, which reads the same version): the ORM compiles the query once per
    process (for `name`), with a mark where the present goes, and each request runs that SQL
    through the cursor with the present put in. Compiled at each request, event_version's
    expressions cost four times what running them does (about 2.4 of 3 ms), and the feed's 304
    and warm answers missed their targets (bench/RESULTS.md). The ORM writes the SQL, not us:
    it differs between PostgreSQL and SQLite. The digest is of the database's own values, by
    column name: only fit to tell two states apart."""
    key = (name, connection.vendor)
    if key not in _COMPILED:
        sql, params = build(Value(_NOW_MARK)).query.sql_with_params()
        _COMPILED[key] = (sql, list(params), _db_datetime(_NOW_MARK))
    sql, params, mark = _COMPILED[key]
    now = _db_datetime(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now if param == mark else param for param in params])
        names = [column[0] for column in cursor.description]
        rows = sorted(repr(sorted(zip(names, row, strict=True))) for row in cursor.fetchall())
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


def _db_datetime(value: datetime.datetime):
    return DateTimeField().get_db_prep_value(value, connection)


#: Set on a request whose answer cached_public_answer may keep: its query in one spelling.
_CACHEABLE_QUERY = "programme_cacheable_query"
_INT = re.compile(r"[1-9][0-9]{0,8}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def _choice(*values: str):
    return lambda value: value in values


#: The query parameters the cached answers depend on (the programme's filters, the API's
#: pages and format), each with a test of its one canonical spelling. `q` is free text: an
#: answer with it is not cached, or anyone could fill the cache (Redis, also the broker).
_PARAMETERS = {
    "edition": _SLUG.fullmatch,
    "category": _SLUG.fullmatch,
    "date": _DATE.fullmatch,
    "venue": _INT.fullmatch,
    "language": _choice(*(code for code, _label in Event.LANGUAGES)),
    "accessibility": _choice(*(code for code, _label in Venue.ACCESSIBILITY_FEATURES)),
    "available": _choice("true", "false"),
    "page": _INT.fullmatch,
    "page_size": _INT.fullmatch,
    "format": _choice("json", "api"),
    "download": _choice("1"),  # the calendar feeds: a file to save rather than to show
    "q": None,
}


def _canonical_query(request: HttpRequest) -> str | None:
    """The request's query as the answer depends on it, in one spelling: known parameters
    only, sorted, each value once; None when the answer must not be cached (free text, or a
    value not in its canonical spelling: `venue=01`, `date=21/10/2036`)."""
    items = []
    for name in sorted(set(request.GET) & _PARAMETERS.keys()):
        canonical = _PARAMETERS[name]
        values = sorted(set(request.GET.getlist(name)))
        if canonical is None or not all(canonical(value) for value in values):
            return None
        items.extend((name, value) for value in values)
    return urlencode(items)


def _key(request: HttpRequest, version: str, query: str) -> str:
    # What the client accepts only chooses between the browsable API (HTML) and JSON.
    accepts = "html" if "text/html" in request.headers.get("Accept", "") else "any"
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"programme-answer:{version}:{get_language()}:{accepts}:{digest}"


def cached_public_answer(view=None, *, version=None):
    """Serve anonymous GETs of `view` from the cache while the programme has not changed
    (`version()`, programme_version by default: `@cached_public_answer(version=...)`).

    Only 200 answers are kept; a signed-in user (an organiser sees drafts) always
    gets a fresh answer. The view must give the same answer to every anonymous
    visitor for a URL and language.
    """
    if view is None:
        return functools.partial(cached_public_answer, version=version)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PROGRAMME_CACHE_SECONDS
        if request.method not in ("GET", "HEAD") or not seconds or _signed_in(request):
            return view(request, *args, **kwargs)
        query = _canonical_query(request)
        if query is None:
            return view(request, *args, **kwargs)
        # The view sees the query as the key names it, so that what is kept for the key is
        # what any request with that key gets (unknown parameters do not reach the answer's
        # pagination links, for one).
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query
        setattr(request, _CACHEABLE_QUERY, query)
        key = _key(request, (version or programme_version)(), query)
        if "If-None-Match" in request.headers:
            # A client that holds the answer (a calendar app): its validators alone, not the body.
            validators = cache.get(f"{key}:validators")
            if validators is not None and etag_matches(request.headers["If-None-Match"], validators["ETag"]):
                return not_modified(validators)
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content, headers=headers)
            response["X-Programme-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
            kept = {key: (response.content, headers)}
            if "ETag" in headers:
                kept[f"{key}:validators"] = {name: headers[name] for name in _NOT_MODIFIED_HEADERS if name in headers}
            cache.set_many(kept, timeout=seconds)
        return response

    return wrapper


#: What a 304 keeps of the 200 it stands for (RFC 9110 section 15.4.5).
_NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Content-Location", "Vary", "Content-Language")


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 section 13.1.2: If-None-Match holds `etag` (weak comparison) or is `*`."""
    tags = parse_etags(if_none_match)
    return tags == ["*"] or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


def not_modified(headers) -> HttpResponseNotModified:
    """A 304 with the validators and metadata of `headers` (a 200's)."""
    response = HttpResponseNotModified()
    for name in _NOT_MODIFIED_HEADERS:
        if name in headers:
            response[name] = headers[name]
    return response


def _signed_in(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
