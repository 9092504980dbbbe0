"""What the public events pages share: the paths, JSON-LD, calendar responses."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from markupsafe import Markup
from starlette.responses import Response

from agora import pagecache
from agora.i18n import local_zone
from agora.markdown import render_markdown
from agora.settings import Settings
from events.models import CANCELLED, HYBRID, ONLINE, Session
from events.services.public import CLOSED, NOT_OPEN, OPEN, PAST, SESSION_CANCELLED, WAITLIST, SessionView

# German first: these are the addresses people see and share. The manage links are defined by the services
# (events.services.common.manage_url) and stay under /events/registrations/.
SESSIONS_PATH = "/termine"
SERIES_PATH = "/reihen"
MANAGE_PATH = "/events/registrations"


def session_url(session_id: int) -> str:
    return f"{SESSIONS_PATH}/{session_id}"


def series_url(series_id: int) -> str:
    return f"{SERIES_PATH}/{series_id}"


def ics_response(data: bytes, filename: str, *, private: bool = False) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "no-store"
    return Response(data, media_type="text/calendar; charset=utf-8", headers=headers)


def changes_with(sessions: list[Session]) -> list[Session]:
    """The sessions, after telling the page cache when they change state by the clock alone."""
    for s in sessions:
        pagecache.changes_at(s.registration_opens_at, s.registration_closes_at, s.starts_at, s.ends_at)
    return sessions


def _iso_local(value: datetime) -> str:
    return value.astimezone(local_zone()).isoformat()


def _plain(markdown_text: str) -> str:
    """A short plain-text description for search engines."""
    html = render_markdown(markdown_text or "")
    text = Markup(html).striptags()  # noqa: S704 - sanitised by nh3, only stripped to text
    return text[:500]


AVAILABILITY = {
    OPEN: "https://schema.org/InStock",
    WAITLIST: "https://schema.org/SoldOut",
    NOT_OPEN: "https://schema.org/PreOrder",
    CLOSED: "https://schema.org/SoldOut",
    PAST: "https://schema.org/SoldOut",
    SESSION_CANCELLED: "https://schema.org/Discontinued",
}


def json_ld(view: SessionView, settings: Settings) -> dict[str, Any]:
    """schema.org Event for the session page."""
    session = view.session
    url = settings.base_url + session_url(session.id)
    locations: list[dict[str, Any]] = []
    if session.venue_name or session.venue_address:
        place: dict[str, Any] = {"@type": "Place", "name": session.venue_name or session.venue_address}
        if session.venue_address:
            place["address"] = {
                "@type": "PostalAddress",
                "streetAddress": session.venue_address,
                "addressCountry": "DE",
            }
        locations.append(place)
    # The join link is never public: the online location points to the session page, where people register.
    if session.mode in (ONLINE, HYBRID):
        locations.append({"@type": "VirtualLocation", "url": url})
    if session.mode == HYBRID:
        mode = "https://schema.org/MixedEventAttendanceMode"
    elif session.mode == ONLINE:
        mode = "https://schema.org/OnlineEventAttendanceMode"
    else:
        mode = "https://schema.org/OfflineEventAttendanceMode"
    status = "https://schema.org/EventScheduled"
    if session.status == CANCELLED:
        status = "https://schema.org/EventCancelled"
    elif session.occurrence_at and session.occurrence_at != session.starts_at:
        status = "https://schema.org/EventRescheduled"
    organizer_name = (view.series.office if view.series and view.series.office else "") or "Agora"
    organizer: dict[str, Any] = {
        "@type": "Organization",
        "name": organizer_name,
        "url": settings.base_url + "/",
    }
    email = session.contact_email or (view.series.contact_email if view.series else "")
    if email:
        organizer["email"] = email
    offer: dict[str, Any] = {
        "@type": "Offer",
        # schema.org reads the price as text with a dot: "0" when free, "25.00" otherwise.
        "price": "0" if session.free else str(session.cost),
        "priceCurrency": "EUR",
        "availability": AVAILABILITY.get(view.state, "https://schema.org/InStock"),
        "url": url,
    }
    if session.cost_note:
        offer["description"] = session.cost_note
    if session.registration_opens_at:
        offer["validFrom"] = _iso_local(session.registration_opens_at)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": session.full_title,
        "description": _plain(session.description),
        "startDate": _iso_local(session.starts_at),
        "endDate": _iso_local(session.ends_at),
        "eventStatus": status,
        "eventAttendanceMode": mode,
        "location": locations[0] if len(locations) == 1 else locations,
        "organizer": organizer,
        "offers": offer,
        "url": url,
        "maximumAttendeeCapacity": session.capacity,
        "remainingAttendeeCapacity": view.seats_left,
        "isAccessibleForFree": True,
    }
    if not locations:
        data.pop("location")
    return data


def json_ld_script_body(data: dict[str, Any]) -> Markup:
    """JSON that cannot end the script element early."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with <, > and & escaped
