"""Demo content of consultations: the town's digital strategy with contributions, replies, a hidden one, a letter
entered by staff, a group answered together and a published result; and an open consultation on noise.

Running it again changes nothing: each consultation is created only when its slug does not exist yet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agora.accounts.participants.models import Participant
from participation.models import (
    AGREEMENT,
    LETTER,
    OBJECTION,
    PUBLISHED,
    QUESTION,
    SUGGESTION,
    Consultation,
    Contribution,
    Section,
    Support,
)
from participation.services import consultations, moderation, weighing

STAFF = "redaktion@agora.example"
DIGITAL = "digitalstrategie-2030"
NOISE = "laermaktionsplan"

DIGITAL_BODY = """Musterstadt will bis 2030 alle wichtigen Verwaltungsleistungen digital anbieten.

# Ziele

Bürgerinnen und Bürger sollen Anliegen rund um die Uhr online erledigen können.

# Handlungsfelder

## Online-Dienste

Die zehn meistgenutzten Leistungen (Meldebescheinigung, Anwohnerparken, Gewerbeanmeldung, ...) werden zuerst
digitalisiert.

## Glasfaser und WLAN

Bis 2028 sollen alle Schulen und öffentlichen Gebäude an das Glasfasernetz angeschlossen sein.

# Beteiligung und Umsetzung

Ein Digitalbeirat begleitet die Umsetzung und berichtet jährlich.
"""

NOISE_BODY = """# Lärmkarte

Die Lärmkarte zeigt die Belastung an Hauptverkehrsstraßen.

# Maßnahmen

Tempo 30 in der Nacht auf der Bahnhofstraße, lärmarmer Asphalt in der Lindenallee.
"""


async def _people() -> list[Participant]:
    now = datetime.now(UTC)
    names = [
        ("anna.beispiel@example.org", "Anna Beispiel"),
        ("bernd.muster@example.org", "Bernd Muster"),
        ("carla.demo@example.org", "Carla Demo"),
    ]
    people = []
    for email, name in names:
        person = await Participant.get_or_none(email=email)
        if person is None:
            person = await Participant.create(email=email, display_name=name, created_at=now, confirmed_at=now)
        people.append(person)
    return people


async def _add(
    consultation: Consultation,
    section: Section | None,
    number: int,
    body: str,
    *,
    author: Participant | None = None,
    category: str = SUGGESTION,
    parent: Contribution | None = None,
    show_name: bool = False,
    organisation: str = "",
) -> Contribution:
    return await Contribution.create(
        consultation_id=consultation.id,
        section_id=section.id if section else (parent.section_id if parent else None),
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        number=number,
        category=category,
        body=body,
        author_id=author.id if author else None,
        author_name=author.display_name if author else "",
        show_name=show_name,
        organisation=organisation,
        status=PUBLISHED,
        received_at=datetime.now(UTC),
    )


async def create_demo() -> None:
    if not await Consultation.exists(slug=DIGITAL):
        await _digital_strategy()
    if not await Consultation.exists(slug=NOISE):
        now = datetime.now(UTC)
        await consultations.create_consultation(
            slug=NOISE,
            title="Lärmaktionsplan Musterstadt",
            summary="Wie machen wir die Hauptverkehrsstraßen leiser? Ihre Hinweise sind gefragt.",
            office="Umweltamt",
            contact_name="Jana Ruhe",
            contact_email="umwelt@musterstadt.example",
            topics=["Umwelt", "Verkehr"],
            body=NOISE_BODY,
            moderation="post",
            flag_threshold=3,
            published_at=now - timedelta(days=7),
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=28),
            evaluation_at=None,
            result_published_at=None,
            result_summary="",
        )


async def _digital_strategy() -> None:
    now = datetime.now(UTC)
    consultation = await consultations.create_consultation(
        slug=DIGITAL,
        title="Digitalstrategie Musterstadt 2030",
        summary="Der Entwurf der Digitalstrategie: Welche Online-Dienste brauchen Sie zuerst?",
        office="Amt für Digitalisierung",
        contact_name="Tobias Netz",
        contact_email="digital@musterstadt.example",
        topics=["Digitalisierung", "Verwaltung"],
        body=DIGITAL_BODY,
        moderation="post",
        flag_threshold=3,
        published_at=now - timedelta(days=60),
        opens_at=now - timedelta(days=55),
        closes_at=now - timedelta(days=20),
        evaluation_at=now - timedelta(days=19),
        result_published_at=None,
        result_summary="",
    )
    sections = {s.number: s for s in await consultations.sections_of(consultation.id)}
    anna, bernd, carla = await _people()
    first = await _add(
        consultation,
        sections["2.1"],
        1,
        "Bitte das Anwohnerparken zuerst online anbieten, der Gang ins Bürgerbüro kostet jedes Jahr einen halben Tag.",
        author=anna,
        show_name=True,
    )
    second = await _add(
        consultation,
        sections["2.1"],
        2,
        "Anwohnerparken bitte online anbieten, jedes Jahr muss man dafür ins Bürgerbüro.",
        author=bernd,
    )
    await _add(consultation, None, 3, "Gilt das auch für Zweitwohnsitze?", author=carla, parent=first)
    reply = await _add(consultation, None, 4, "Ja, das würde mich auch interessieren.", author=bernd, parent=first)
    await _add(consultation, None, 5, "Laut Entwurf ja, siehe Abschnitt 1.", author=anna, parent=reply)
    wifi = await _add(
        consultation,
        sections["2.2"],
        6,
        "Freies WLAN auch in der Stadtbibliothek und im Freibad.",
        author=carla,
        category=SUGGESTION,
    )
    await _add(
        consultation,
        sections["3"],
        7,
        "Der Digitalbeirat sollte auch Vertreter der Seniorenvertretung haben.",
        organisation="Seniorenvertretung Musterstadt",
        category=OBJECTION,
    )
    await _add(consultation, sections["1"], 8, "Gute Ziele, weiter so!", author=bernd, category=AGREEMENT)
    spam = await _add(consultation, None, 9, "Billige Uhren hier kaufen!!!", author=carla, category=QUESTION)
    await moderation.moderate(STAFF, [spam.id], "hide", "Werbung ist hier nicht erlaubt.")
    letter = await Contribution.create(
        consultation_id=consultation.id,
        section_id=sections["2.2"].id,
        number=10,
        category=SUGGESTION,
        body="Als Schule bitten wir darum, beim Glasfaserausbau zuerst die Grundschulen anzuschließen.",
        organisation="Grundschule am Park",
        status=PUBLISHED,
        kind=LETTER,
        received_at=now - timedelta(days=30),
        sender="Grundschule am Park, Schulleitung, Parkstraße 3",
    )
    for person in (carla, anna):
        await Support.create(contribution_id=second.id if person is carla else wifi.id, participant_id=person.id)
    await Contribution.filter(id=second.id).update(supports_count=1)
    await Contribution.filter(id=wifi.id).update(supports_count=1)
    group = await weighing.create_group(STAFF, consultation.id, "Anwohnerparken online", [first.id, second.id])
    await weighing.respond_group(
        STAFF,
        consultation.id,
        group.id,
        vote="accepted",
        text="Das Anwohnerparken wird 2027 als eine der ersten Leistungen online angeboten.",
        office="Ordnungsamt",
    )
    await weighing.respond(
        STAFF,
        consultation.id,
        wifi.id,
        vote="partly",
        text="Die Stadtbibliothek erhält WLAN 2027; für das Freibad wird es geprüft.",
        office="Amt für Digitalisierung",
        note="",
    )
    await weighing.respond(
        STAFF,
        consultation.id,
        letter.id,
        vote="already",
        text="Die Grundschulen werden im ersten Bauabschnitt angeschlossen.",
        office="Schulamt",
        note="",
    )
    await weighing.release(STAFF, consultation.id, [first.id, second.id, wifi.id, letter.id])
    await weighing.publish(STAFF, consultation)
    await Consultation.filter(id=consultation.id).update(
        result_published_at=now - timedelta(days=1),
        result_summary="Vielen Dank für 10 Beiträge. Drei Anregungen fließen direkt in die Strategie ein.",
    )
