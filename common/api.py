"""What every API view shares: error answers in the client's language.

DRF answers a missing object with Django's English message ("No Event matches
the given query.") and an unparsable body with the English text of Python's
json module; a body nested deeper than Python's recursion limit is not caught
at all (a 500). These answer all three with messages from our catalogues.
"""

from __future__ import annotations

import codecs
from json import JSONDecodeError

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, views
from rest_framework.response import Response
from rest_framework.utils import json


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, except that a missing object says a translated "Not found." whatever Http404 carries."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    return views.exception_handler(exc, context)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with translated errors, and a 400 (not a 500) for JSON nested too deeply to parse."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            # As DRF does: only text encodings, never a bytes-to-bytes codec that decompresses the body.
            "".encode(encoding)
        except (LookupError, UnicodeError):
            raise exceptions.ParseError(_("The character set of the request body is not supported.")) from None
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            return json.load(decoded_stream, parse_constant=parse_constant)
        except RecursionError:
            raise exceptions.ParseError(_("The request body is nested too deeply.")) from None
        except JSONDecodeError as exc:
            # Where, but not the json module's English words for what.
            message = _("The request body is not valid JSON (line %(line)d, column %(column)d).")
            raise exceptions.ParseError(message % {"line": exc.lineno, "column": exc.colno}) from None
        except ValueError:  # not text in that charset, or NaN/Infinity
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
