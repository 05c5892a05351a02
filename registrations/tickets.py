"""Signed QR tickets.

A ticket token is 75 bytes, written as 100 characters of unpadded base64url:

    version (1 byte) | edition id (2) | event id (4) | registration id (4) | Ed25519 signature (64)

The signature covers the first 11 bytes and is made with the edition's private
key, so anyone holding the edition's public key can tell a genuine ticket from
a forged or altered one without the database; the server then checks the
registration's state. This module is the only place that makes or verifies a
token: the API, the scanner page and the tests all call it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import struct
from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.image.svg
from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from programme.models import Edition

from .models import Registration, TicketKey

VERSION = 1
_HEADER = struct.Struct(">BHII")
_SIGNATURE_LENGTH = 64
TOKEN_BYTES = _HEADER.size + _SIGNATURE_LENGTH
TOKEN_LENGTH = 100  # len(base64url(75 bytes)) without padding
_TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
#: QR images are cached for a week, not forever: a cache must not grow with every ticket ever shown.
QR_CACHE_SECONDS = 7 * 24 * 3600


class InvalidTicket(Exception):
    """Not a ticket of ours: malformed, altered, forged or signed by an unknown key."""


@dataclass(frozen=True)
class TicketClaims:
    edition_id: int
    event_id: int
    registration_id: int


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fortnight-ticket-keys", info=b"v1").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _create_key(edition_id: int) -> TicketKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        with transaction.atomic():
            return TicketKey.objects.create(
                edition_id=edition_id,
                public_key=raw_public,
                private_key_encrypted=_fernet().encrypt(raw_private),
            )
    except IntegrityError:  # another process made it first: use theirs
        return TicketKey.objects.get(edition_id=edition_id)


def ticket_key(edition_id: int) -> TicketKey:
    """The edition's key pair, made on first use."""
    try:
        return TicketKey.objects.get(edition_id=edition_id)
    except TicketKey.DoesNotExist:
        return _create_key(edition_id)


@lru_cache(maxsize=64)
def _private_key(edition_id: int, fingerprint: str) -> Ed25519PrivateKey:
    key = TicketKey.objects.get(edition_id=edition_id)
    try:
        raw = _fernet().decrypt(bytes(key.private_key_encrypted))
    except InvalidToken as exc:  # SECRET_KEY changed since the key was made
        raise RuntimeError(f"The ticket key of edition {edition_id} cannot be decrypted with SECRET_KEY.") from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


#: Public keys already read, per edition id. An edition's key never changes, so each
#: worker keeps it for good: a check-in then costs no round trip for it.
_public_keys: dict[int, bytes] = {}


def public_key_bytes(edition_id: int, *, fresh: bool = False) -> bytes:
    """The edition's raw 32-byte public key, kept in memory: check-ins verify many tickets.

    `fresh` reads it from the database again.
    """
    raw = None if fresh else _public_keys.get(edition_id)
    if raw is None:
        try:
            raw = bytes(TicketKey.objects.values_list("public_key", flat=True).get(edition_id=edition_id))
        except TicketKey.DoesNotExist:
            _public_keys.pop(edition_id, None)
            return b""
        _public_keys[edition_id] = raw
    return raw


def public_key_fingerprint(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def make_token(registration: Registration) -> str:
    """The ticket token of a registration (deterministic: Ed25519 signatures are)."""
    edition_id = registration.event.edition_id
    raw_public = bytes(ticket_key(edition_id).public_key)
    header = _HEADER.pack(VERSION, edition_id, registration.event_id, registration.pk)
    signature = _private_key(edition_id, public_key_fingerprint(raw_public)).sign(header)
    return base64.urlsafe_b64encode(header + signature).rstrip(b"=").decode("ascii")


def decode_token(token: str) -> tuple[TicketClaims, bytes, bytes]:
    """Split a token into its claims, the signed bytes and the signature; no key needed."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise InvalidTicket("malformed")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidTicket("malformed") from exc
    if len(raw) != TOKEN_BYTES:
        raise InvalidTicket("malformed")
    header, signature = raw[: _HEADER.size], raw[_HEADER.size :]
    version, edition_id, event_id, registration_id = _HEADER.unpack(header)
    if version != VERSION:
        raise InvalidTicket("unknown version")
    return TicketClaims(edition_id, event_id, registration_id), header, signature


def verify_with_public_key(token: str, raw_public: bytes) -> TicketClaims:
    """Verify a token with an edition's public key alone (what an offline scanner does)."""
    claims, header, signature = decode_token(token)
    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(signature, header)
    except (InvalidSignature, ValueError) as exc:
        raise InvalidTicket("bad signature") from exc
    return claims


def verify_token(token: str) -> TicketClaims:
    """Verify a token against the key of the edition it names."""
    claims, _header, _signature = decode_token(token)
    raw_public = public_key_bytes(claims.edition_id)
    if not raw_public:
        raise InvalidTicket("unknown edition")
    try:
        return verify_with_public_key(token, raw_public)
    except InvalidTicket:
        # The memory may hold the key of a database since replaced (a restore, a
        # test database rolled back): check against the stored key.
        stored = public_key_bytes(claims.edition_id, fresh=True)
        if not stored or stored == raw_public:
            raise
        return verify_with_public_key(token, stored)


def qr_png(token: str) -> bytes:
    return _qr(token, "png")


def qr_svg(token: str) -> bytes:
    return _qr(token, "svg")


def _qr(token: str, fmt: str) -> bytes:
    """The QR image of a token, made once and then served from the cache."""
    cache_key = f"ticket-qr:{fmt}:{hashlib.sha256(token.encode()).hexdigest()}"
    image = cache.get(cache_key)
    if image is None:
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
        qr.add_data(token)
        qr.make(fit=True)
        buffer = io.BytesIO()
        if fmt == "svg":
            qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
        else:
            qr.make_image().save(buffer)
        image = buffer.getvalue()
        cache.set(cache_key, image, timeout=QR_CACHE_SECONDS)
    return image


def public_key_b64(edition: Edition) -> str:
    return base64.b64encode(bytes(ticket_key(edition.pk).public_key)).decode("ascii")
