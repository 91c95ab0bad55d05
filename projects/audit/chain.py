"""The hash chain over the audit records: each record's HMAC covers its content and the previous
record's hash, keyed with a key from the environment (``AUDIT_HMAC_KEYS``), so that someone with
rights on the database but not the key cannot rewrite a record and recompute the chain after it.

Plain functions: what is hashed, with which key, and the walk that checks a chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The fields a record's hash covers, in this order. Changing the list breaks every existing chain.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "address",
    "via",
    "source",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "detail",
    "key_id",
    "prev_hash",
)


class Hashable(Protocol):
    seq: int
    at: dt.datetime
    prev_hash: str
    key_id: str
    hash: str


def key_id(key: str) -> str:
    """A short public name of a key, stored with each record, so that old records stay checkable
    after the key is rotated (the new key first in ``AUDIT_HMAC_KEYS``, the old ones after it)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def keys() -> dict[str, bytes]:
    """The configured keys by their id; the first signs new records."""
    configured = [k for k in getattr(settings, "AUDIT_HMAC_KEYS", []) if k]
    if not configured:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEYS is empty: set TRACKER_AUDIT_HMAC_KEYS in the environment (docs/security.md)."
        )
    return {key_id(k): k.encode() for k in configured}


def signing_key() -> tuple[str, bytes]:
    return next(iter(keys().items()))


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def record_hash(record: Any, key: bytes) -> str:
    """HMAC-SHA256 over the hashed fields, as canonical JSON (sorted keys, no spaces)."""
    content = [_canonical(getattr(record, name)) for name in HASHED_FIELDS]
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int
    record_id: int | None
    reason: str


@dataclass(frozen=True)
class Verification:
    checked: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def chain_verify(
    records: Iterable[Any],
    *,
    boundaries: Mapping[int, str],
    head_seq: int | None,
    head_hash: str,
) -> Verification:
    """Walk records in ``seq`` order and report the first one that does not hold.

    ``boundaries`` maps the first kept ``seq`` of each recorded purge to the hash of the last
    record it removed: a chain may start there instead of at the first record ever written. The
    head (the chain's last link as the writers left it) shows records removed from the end."""
    known = keys()
    checked, first_seq, last_seq, last_hash = 0, None, None, ""
    for record in records:
        if first_seq is None:
            first_seq = record.seq
            if record.prev_hash and boundaries.get(record.seq) != record.prev_hash:
                return Verification(
                    checked, first_seq, last_seq, last_hash,
                    Break(record.seq, record.pk, "records before this one are missing (no purge recorded them)"),
                )  # fmt: skip
        else:
            if record.seq != last_seq + 1:
                return Verification(
                    checked, first_seq, last_seq, last_hash,
                    Break(record.seq, record.pk, f"records {last_seq + 1}–{record.seq - 1} are missing"),
                )  # fmt: skip
            if record.prev_hash != last_hash:
                return Verification(
                    checked, first_seq, last_seq, last_hash,
                    Break(record.seq, record.pk, "its link to the previous record was changed"),
                )  # fmt: skip
        key = known.get(record.key_id)
        if key is None:
            return Verification(
                checked, first_seq, last_seq, last_hash,
                Break(record.seq, record.pk, f"signed with key {record.key_id!r}, which is not configured"),
            )  # fmt: skip
        if not hmac.compare_digest(record_hash(record, key), record.hash):
            return Verification(
                checked, first_seq, last_seq, last_hash, Break(record.seq, record.pk, "its content was changed")
            )
        checked += 1
        last_seq, last_hash = record.seq, record.hash
    if head_seq is not None and (head_seq != (last_seq or 0) or head_hash != last_hash):
        if head_seq > (last_seq or 0):
            reason = f"records {(last_seq or 0) + 1}–{head_seq} at the end of the chain are missing"
        else:
            reason = "the chain's head does not match its last record"
        return Verification(checked, first_seq, last_seq, last_hash, Break(head_seq, None, reason))
    return Verification(checked, first_seq, last_seq, last_hash, None)
