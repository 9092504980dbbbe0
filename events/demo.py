"""Demo content of the events domain: the quarterly breakfast series, a workshop, registrations, contacts.

Running it again changes nothing: it stops when the demo series exists.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from agora.i18n import current_zone, local_zone
from agora.settings import Settings
from events import recurrence, services
from events.models import HYBRID, WORKSHOP, Contact, Series, Session
from notifications import api

SERIES_TITLE = "Wirtschaft trifft Verwaltung"
# First Tuesday of January, April, July and October, 8:00 in Berlin wall time.
RULE = "DTSTART:20260106T080000\nRRULE:FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=1TU"
CONSENT_VERSION, CONSENT_TEXT = "demo", "Demo-Anmeldung"

BREAKFAST_AGENDA = [
    # minutes from the start, duration, title, kind, speakers
    (0, 30, "Ankommen und Frühstück", "networking", []),
    (30, 15, "Begrüßung", "talk", [("Dr. Maria Lehmann", "Bürgermeisterin", "Stadt Musterstadt")]),
    (
        45,
        30,
        "Impuls: Gewerbeflächen in Musterstadt",
        "talk",
        [("Jonas Becker", "Leiter", "Wirtschaftsförderung Musterstadt")],
    ),
    (75, 35, "Fragen und Diskussion", "discussion", []),
    (110, 10, "Ausklang", "networking", []),
]

CONTACTS = [
    (
        "Bäckerei Sonnenschein",
        "Petra Sonnenschein",
        "info@baeckerei-sonnenschein.example",
        "Handwerk",
        "10-49",
        ["Innenstadt", "Nahversorgung"],
    ),
    (
        "Müller Metallbau GmbH",
        "Klaus Müller",
        "k.mueller@mueller-metallbau.example",
        "Industrie",
        "50-249",
        ["Gewerbegebiet Nord"],
    ),
    (
        "Kanzlei Yilmaz & Partner",
        "Aylin Yilmaz",
        "kontakt@kanzlei-yilmaz.example",
        "Dienstleistung",
        "1-9",
        ["Innenstadt"],
    ),
    (
        "Stadtwerke Musterstadt",
        "Frank Weber",
        "f.weber@stadtwerke-musterstadt.example",
        "Energie",
        "250+",
        ["Netzwerk", "Energie"],
    ),
    (
        "Café am Markt",
        "Lena Hoffmann",
        "hallo@cafe-am-markt.example",
        "Gastronomie",
        "1-9",
        ["Innenstadt", "Nahversorgung"],
    ),
    (
        "Softwarehaus Nordlicht",
        "Tim Schulz",
        "tim.schulz@nordlicht-software.example",
        "IT",
        "10-49",
        ["Digitalisierung", "Gewerbegebiet Nord"],
    ),
]


def _local(day: datetime, hour: int) -> datetime:
    zone = local_zone()
    return datetime.combine(day.astimezone(zone).date(), time(hour), tzinfo=zone).astimezone(UTC)


async def _breakfast_series() -> list[Session]:
    series = await services.create_series(
        title=SERIES_TITLE,
        description=(
            "Frühstück im Rathaus für Unternehmen aus Musterstadt: kurze Impulse aus der Verwaltung, "
            "Ihre Fragen und Zeit für Gespräche."
        ),
        office="Wirtschaftsförderung Musterstadt",
        contact_email="wirtschaft@musterstadt.example",
        contact_phone="+49 1234 56-789",
        venue_name="Rathaus Musterstadt",
        venue_address="Marktplatz 1, 12345 Musterstadt",
        venue_room="Ratssaal",
        venue_accessibility="Stufenloser Zugang über den Hof, Aufzug, barrierefreies WC im Erdgeschoss.",
        default_duration_minutes=120,
        default_capacity=40,
        rrule=RULE,
        reminder_offset_hours=24,
    )
    first = await recurrence.generate_sessions(series.id, count=1)
    if first:
        session = first[0]
        for position, (offset, minutes, title, kind, speakers) in enumerate(BREAKFAST_AGENDA):
            await services.add_agenda_item(
                session.id,
                starts_at=session.starts_at + timedelta(minutes=offset),
                ends_at=session.starts_at + timedelta(minutes=offset + minutes),
                title=title,
                kind=kind,
                room="Ratssaal",
                position=position,
                speakers=[{"name": n, "role": r, "organisation": o} for n, r, o in speakers],
            )
    # The later dates copy the first one's agenda.
    await recurrence.generate_sessions(series.id, count=4)
    sessions = await Session.filter(series_id=series.id).order_by("starts_at")
    if sessions:
        # The last date of the series is hybrid: in the Ratssaal or online.
        await Session.filter(id=sessions[-1].id).update(
            mode=HYBRID, online_capacity=25, online_url="https://meet.musterstadt.example/wirtschaftsfruehstueck"
        )
    for session in sessions:
        await services.publish_session(session.id)
    return list(await Session.filter(series_id=series.id).order_by("starts_at"))


async def _workshop() -> Session:
    day = datetime.now(UTC) + timedelta(days=21)
    day += timedelta(days=(2 - day.astimezone(local_zone()).weekday()) % 7)  # a Wednesday afternoon
    starts, ends = _local(day, 14), _local(day, 17)
    session = await services.create_session(
        kind=WORKSHOP,
        title="Workshop: Digitale Verwaltung für Unternehmen",
        description=("Zwei parallele Gruppen: die E-Rechnung an die Stadt und Fördermittel digital beantragen."),
        starts_at=starts,
        ends_at=ends,
        venue_name="Rathaus Musterstadt",
        venue_address="Marktplatz 1, 12345 Musterstadt",
        venue_room="Sitzungsräume 1 und 2",
        contact_email="wirtschaft@musterstadt.example",
        capacity=20,
        max_colleagues=1,
        cost=Decimal("25.00"),
        cost_note="inkl. Kaffee und Imbiss",
    )
    invoice = await services.add_track(session.id, title="E-Rechnung an die Stadt", capacity=14)
    funding = await services.add_track(session.id, title="Fördermittel digital beantragen (Kleingruppe)", capacity=3)
    await services.add_agenda_item(
        session.id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=20),
        title="Begrüßung",
        kind="talk",
        room="Sitzungsraum 1",
        speakers=[{"name": "Jonas Becker", "role": "Leiter", "organisation": "Wirtschaftsförderung Musterstadt"}],
    )
    for track, room, speaker in (
        (invoice, "Sitzungsraum 1", ("Sabine Krüger", "Kämmerei", "Stadt Musterstadt")),
        (
            funding,
            "Sitzungsraum 2",
            ("Deniz Arslan", "Fördermittelberatung", "Wirtschaftsförderung Musterstadt"),
        ),
    ):
        await services.add_agenda_item(
            session.id,
            starts_at=starts + timedelta(minutes=20),
            ends_at=ends - timedelta(minutes=20),
            title=track.title,
            kind="discussion",
            room=room,
            track_id=track.id,
            speakers=[{"name": speaker[0], "role": speaker[1], "organisation": speaker[2]}],
        )
    await services.add_agenda_item(
        session.id,
        starts_at=ends - timedelta(minutes=20),
        ends_at=ends,
        title="Ergebnisse und Ausklang",
        kind="networking",
        room="Sitzungsraum 1",
    )
    await services.publish_session(session.id)
    return session


async def _registrations(settings: Settings, breakfast: Session, workshop: Session) -> None:
    people = [(c[1], c[2], c[0]) for c in CONTACTS]
    for name, email, company in people[:4]:
        await services.register(
            settings,
            breakfast.id,
            name=name,
            email=email,
            organisation=company,
            by_staff=True,
            consent=True,
            consent_version=CONSENT_VERSION,
            consent_text=CONSENT_TEXT,
        )
    small_group = await workshop.tracks.all().order_by("id")
    # Four people for the small group of three: the last one waits.
    for name, email, company in people[1:5]:
        await services.register(
            settings,
            workshop.id,
            name=name,
            email=email,
            organisation=company,
            track_id=small_group[1].id,
            by_staff=True,
            consent=True,
            consent_version=CONSENT_VERSION,
            consent_text=CONSENT_TEXT,
        )


async def create_demo(settings: Settings | None = None) -> None:
    """Create the demo series, sessions, registrations and contacts once."""
    if await Series.exists(title=SERIES_TITLE):
        return
    settings = settings or api.current_settings()
    zone_token = current_zone.set(settings.time_zone)  # the commands run outside a request
    try:
        await _create(settings)
    finally:
        current_zone.reset(zone_token)


async def _create(settings: Settings) -> None:
    sessions = await _breakfast_series()
    workshop = await _workshop()
    for company, person, email, sector, size, tags in CONTACTS:
        if not await Contact.exists(email=email):
            await Contact.create(
                company=company,
                contact_person=person,
                email=email,
                sector=sector,
                size=size,
                tags=tags,
                consent_source="Demo",
                consent_at=datetime.now(UTC).date(),
            )
    if sessions:
        await _registrations(settings, sessions[0], workshop)
