"""The one door into notifications: other packages enqueue mail and manage preferences only through here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from agora import db
from agora.settings import Settings

__all__ = [
    "Attachment",
    "accepts",
    "categories",
    "configure",
    "Outgoing",
    "enqueue",
    "enqueue_many",
    "forget_recipient",
    "get_preferences",
    "kind_info",
    "normalise",
    "queued_keys",
    "read_unsubscribe_token",
    "records_for",
    "register_kind",
    "set_preferences",
    "unsubscribe_url",
]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: bytes
    # Set for a picture the HTML part shows (<img src="cid:...">): it travels inside the HTML part.
    content_id: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    category: str | None  # None: transactional
    template: str  # folder under templates/notifications/mail/


_KINDS: dict[str, Kind] = {}
_settings: Settings | None = None


def configure(settings: Settings) -> None:
    """Called by the composition root (web, worker, scheduler): links then use the right base URL and key."""
    global _settings
    _settings = settings


def current_settings() -> Settings:
    if _settings is None:
        from agora.settings import load_settings

        configure(load_settings())
    assert _settings is not None
    return _settings


def register_kind(kind: str, *, category: str | None = None, template: str | None = None) -> None:
    """category None = transactional (always sent, no List-Unsubscribe); otherwise a preference category
    such as "invitations" or "digests" that the recipient can switch off (List-Unsubscribe one-click).
    template names the template folder when it differs from the kind."""
    _KINDS[kind] = Kind(kind, category, template or kind)


def kind_info(kind: str) -> Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown mail kind {kind!r}; register it with notifications.api.register_kind") from None


def categories() -> list[str]:
    return sorted({k.category for k in _KINDS.values() if k.category})


def normalise(email: str) -> str:
    return email.strip().lower()


def _now() -> datetime:
    return datetime.now(UTC)


async def accepts(kind: str, to: str) -> bool:
    """Whether mail of this kind may go to the address: not suppressed, and its category not switched off.

    enqueue asks this itself; a caller that asks beforehand, outside its transaction, passes checked=True to
    enqueue, so that the transaction does not wait on these reads (a registration holds a seat lock there)."""
    return not await _refused(normalise(to), None, kind_info(kind).category)


async def enqueue(
    kind: str,
    *,
    to: str,
    locale: str = "de",
    context: dict | None = None,
    dedup_key: str | None = None,
    not_before: datetime | None = None,
    attachments: Sequence[Attachment] = (),
    checked: bool = False,
) -> int | None:
    """Call INSIDE the caller's transaction (agora.db.transaction()). Writes an outbox row; returns its id,
    or None when the dedup_key already exists, the address is suppressed, or the recipient switched this
    category off (checked: the caller has just asked `accepts` and got yes). The row is handed to the dispatcher
    only after commit, together with the transaction's other rows (agora.db.on_commit_collect)."""
    from notifications.models import OutboxMessage

    info = kind_info(kind)
    fields = _row_fields(info, to, locale, context, dedup_key, not_before, attachments)
    if checked:
        if dedup_key is not None and await OutboxMessage.exists(dedup_key=dedup_key):
            return None
    elif await _refused(fields["recipient"], dedup_key, info.category):
        return None
    if dedup_key is None:
        # Nothing unique to collide with: no savepoint, two round trips fewer on the registration's path.
        row = await OutboxMessage.create(**fields)
    else:
        try:
            # A savepoint, so that losing a dedup race does not abort the caller's transaction on PostgreSQL.
            async with in_transaction("default"):
                row = await OutboxMessage.create(**fields)
        except IntegrityError:
            return None
    if _due(not_before):
        await db.on_commit_collect("notifications.dispatch", row.id, _hand_over)
    return row.id


@dataclass(frozen=True)
class Outgoing:
    """One mail of a fan-out (enqueue_many). The dedup key is required: a fan-out that is run again (a retried
    request, a second click) must not mail anyone twice."""

    to: str
    dedup_key: str
    context: dict | None = None
    locale: str = "de"
    not_before: datetime | None = None
    attachments: Sequence[Attachment] = ()


# Rows per INSERT and addresses per check: well under SQLite's limit of bound parameters per statement.
_FAN_OUT_CHUNK = 500


async def enqueue_many(kind: str, mails: Sequence[Outgoing]) -> list[int | None]:
    """enqueue for many recipients at once, with the same rules and inside the caller's transaction: per mail
    the id of its new row, or None (dedup key known or repeated, address suppressed, category switched off).
    Three reads and one INSERT per 500 mails, where enqueue takes four round trips per mail.

    A dedup key that a concurrent transaction is writing at the same moment is skipped here, and the id
    returned for it is that transaction's row: the mail goes out once either way."""
    from notifications.models import OutboxMessage

    info = kind_info(kind)
    rows = [_row_fields(info, m.to, m.locale, m.context, m.dedup_key, m.not_before, m.attachments) for m in mails]
    ids: list[int | None] = [None] * len(rows)
    for start in range(0, len(rows), _FAN_OUT_CHUNK):
        chunk = list(enumerate(rows[start : start + _FAN_OUT_CHUNK], start))
        refused = await _refused_many([f["recipient"] for _, f in chunk], [f["dedup_key"] for _, f in chunk], info)
        accepted: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, fields in chunk:
            key = fields["dedup_key"]
            if key not in refused and fields["recipient"] not in refused and key not in accepted:
                accepted[key] = (index, fields)
        if not accepted:
            continue
        await OutboxMessage.bulk_create(
            [OutboxMessage(**fields) for _, fields in accepted.values()], ignore_conflicts=True
        )
        written = await OutboxMessage.filter(dedup_key__in=list(accepted)).values_list("dedup_key", "id")
        for key, row_id in written:
            index, fields = accepted[key]
            ids[index] = row_id
            if _due(fields["not_before"]):
                await db.on_commit_collect("notifications.dispatch", row_id, _hand_over)
    return ids


def _due(not_before: datetime | None) -> bool:
    return not_before is None or not_before <= _now()


def _row_fields(
    info: Kind,
    to: str,
    locale: str,
    context: dict | None,
    dedup_key: str | None,
    not_before: datetime | None,
    attachments: Sequence[Attachment],
) -> dict[str, Any]:
    from notifications import dispatch

    address = normalise(to)
    if not address or "@" not in address:
        raise ValueError(f"not an email address: {to!r}")
    return {
        "kind": info.name,
        "category": info.category,
        "template": info.template,
        "recipient": address,
        "locale": locale,
        # Plain data only: a model object or a datetime here would not survive the trip through JSON.
        "context": json.loads(json.dumps(context or {})),
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "content": base64.b64encode(a.content).decode("ascii"),
                **({"content_id": a.content_id} if a.content_id else {}),
            }
            for a in attachments
        ],
        "dedup_key": dedup_key,
        "not_before": not_before,
        # Recorded now, so the commit hook need not write again; if that hook never runs (a crash
        # right after commit), the sweeper re-dispatches the row once this hand-over looks stale.
        "dispatched_at": _now() if _due(not_before) and dispatch.installed() is not None else None,
    }


async def queued_keys(keys: Sequence[str]) -> set[str]:
    """The dedup keys among these that have a row already. A job that runs every few minutes asks this first,
    so that it builds (calendar files, survey links) only the mails that are still to be written."""
    from notifications.models import OutboxMessage

    found: set[str] = set()
    unique = sorted(set(keys))
    for start in range(0, len(unique), _FAN_OUT_CHUNK):
        chunk = unique[start : start + _FAN_OUT_CHUNK]
        found.update(
            str(k) for k in await OutboxMessage.filter(dedup_key__in=chunk).values_list("dedup_key", flat=True)
        )
    return found


async def _refused_many(addresses: list[str], keys: list[str], info: Kind) -> set[str]:
    """The dedup keys already queued and the addresses that take no mail of this kind, among the given."""
    from notifications.models import Preference, Suppression

    unique = sorted(set(addresses))
    queries = [Suppression.filter(address__in=unique).values_list("address", flat=True)]
    if info.category:
        switched_off = Preference.filter(address__in=unique, category=info.category, enabled=False)
        queries.append(switched_off.values_list("address", flat=True))
    refused = await queued_keys(keys)
    for query in queries:
        refused.update(str(value) for value in await query)
    return refused


_SUPPRESSED = "SELECT 1 FROM notifications_suppression WHERE address = {}"
_QUEUED_UNDER_KEY = "SELECT 1 FROM notifications_outbox WHERE dedup_key = {}"
_SWITCHED_OFF = "SELECT 1 FROM notifications_preference WHERE address = {} AND category = {} AND enabled = {}"


async def _refused(address: str, dedup_key: str | None, category: str | None) -> bool:
    """Already queued under this dedup key, suppressed, or this category switched off. One round trip for
    the three questions (the ORM has no UNION), since a fan-out asks them once per recipient."""
    checks: list[tuple[str, list[Any]]] = [(_SUPPRESSED, [address])]
    if dedup_key is not None:
        checks.append((_QUEUED_UNDER_KEY, [dedup_key]))
    if category:
        checks.append((_SWITCHED_OFF, [address, category, False]))
    conn = connections.get("default")  # inside a transaction: the transaction's connection
    numbered = conn.capabilities.dialect == "postgres"
    parts: list[str] = []
    values: list[Any] = []
    for sql, args in checks:
        parts.append(sql.format(*(f"${len(values) + i + 1}" if numbered else "?" for i in range(len(args)))))
        values.extend(args)
    rows = await conn.execute_query_dict(" UNION ALL ".join(parts) + " LIMIT 1", values)
    return bool(rows)


async def _hand_over(row_ids: list[int]) -> None:
    from notifications import dispatch

    await dispatch.dispatch_many(row_ids, mark=False)


async def get_preferences(email: str) -> dict[str, bool]:
    """category -> enabled, for every known category (absent rows mean enabled)."""
    from notifications.models import Preference

    prefs = {category: True for category in categories()}
    for row in await Preference.filter(address=normalise(email)):
        prefs[row.category] = row.enabled
    return prefs


async def set_preferences(email: str, prefs: dict[str, bool]) -> None:
    from notifications.models import Preference

    address = normalise(email)
    async with db.transaction():
        for category, enabled in prefs.items():
            updated = await Preference.filter(address=address, category=category).update(enabled=bool(enabled))
            if not updated:
                await Preference.create(address=address, category=category, enabled=bool(enabled))


def _sign(payload: bytes) -> str:
    key = current_settings().secret_key.encode()
    return base64.urlsafe_b64encode(hmac.new(key, b"unsubscribe:" + payload, hashlib.sha256).digest()[:18]).decode()


def unsubscribe_token(email: str, category: str) -> str:
    payload = json.dumps([normalise(email), category], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _sign(payload)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """(email, category) when the token is genuine; category "*" stands for every category."""
    body, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if not hmac.compare_digest(signature.encode(), _sign(payload).encode()):
            return None
        email, category = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if not isinstance(email, str) or not isinstance(category, str):
        return None
    return email, category


def unsubscribe_url(email: str, category: str) -> str:
    """Signed, no login needed. The token does not expire: an old mail's link must keep working."""
    return f"{current_settings().base_url}/unsubscribe/{unsubscribe_token(email, category)}"


def preferences_url(email: str) -> str:
    return f"{current_settings().base_url}/mail/preferences/{unsubscribe_token(email, '*')}"


async def forget_recipient(email: str) -> int:
    """For account deletion: unsent mail to the address is deleted, sent mail keeps only a technical trace."""
    from notifications.models import SENT, OutboxMessage, Preference, Suppression

    address = normalise(email)
    async with db.transaction():
        deleted = await OutboxMessage.filter(recipient=address).exclude(status=SENT).delete()
        sent = await OutboxMessage.filter(recipient=address, status=SENT).all()
        for row in sent:
            row.recipient = f"forgotten-{row.id}@invalid"
            row.context = {}
            row.attachments = []
            await row.save(update_fields=["recipient", "context", "attachments"])
        await Preference.filter(address=address).delete()
        await Suppression.filter(address=address).delete()
    return deleted + len(sent)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


async def records_for(email: str) -> list[dict[str, Any]]:
    """For the "my data" export: every mail kept for this address, as plain data."""
    from notifications.models import OutboxMessage

    rows = await OutboxMessage.filter(recipient=normalise(email)).order_by("id")
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "recipient": row.recipient,
            "locale": row.locale,
            "status": row.status,
            "context": row.context,
            "attachments": [a.get("filename") for a in row.attachments or []],
            "created_at": _iso(row.created_at),
            "sent_at": _iso(row.sent_at),
            "message_id": row.message_id,
        }
        for row in rows
    ]


async def unsubscribe(token: str) -> tuple[str, str] | None:
    """One-click unsubscribe: switch the token's category off. None when the token is not genuine."""
    found = read_unsubscribe_token(token)
    if found is None or found[1] == "*":
        return None
    await set_preferences(found[0], {found[1]: False})
    return found


async def send_test_message(to: str, locale: str = "de", note: str = "") -> int | None:
    """A transactional message staff can send to check that mail leaves the building."""
    async with db.transaction():
        return await enqueue("test_message", to=to, locale=locale, context={"note": note})


register_kind("test_message")


def register_job(name: str, every_seconds: float, fn: Any) -> None:
    """Let the scheduler run fn every so often; fn derives what is due from the database and enqueues it."""
    from notifications import scheduler

    scheduler.register_job(name, every_seconds, fn)
