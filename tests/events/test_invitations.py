"""Contact directory, CSV import with preview and one-transaction import, invitations with personal links."""

from __future__ import annotations

import asyncio
import re

import pytest

from agora import i18n
from agora.forms import FieldErrors, validate
from events import contacts, invitations
from events.contacts import SKIP, UPDATE, ContactFilter, ImportRow
from events.errors import EventError
from events.forms import ContactInput
from events.models import INVITATION_DECLINED, INVITATION_REGISTERED, Contact, Invitation, Registration
from notifications import api
from tests.conftest import csrf_from, form_post
from tests.events.helpers import mails, published_session, register

GERMAN_CSV = (
    "Firma;Ansprechperson;E-Mail;Branche;Größe;Schlagworte;Quelle;Einwilligung am\r\n"
    "Bäckerei Sonnenschein;Petra Sonnenschein;Info@Baeckerei.example;Handwerk;10-49;"
    "Innenstadt, Nahversorgung;Messe;31.03.2026\r\n"
    "Müller Metallbau;Klaus Müller;k.mueller@metall.example;Industrie;50 – 249;Nord;"
    "Visitenkarte;2026-02-01\r\n"
    "Ohne Adresse;Jemand;keine-adresse;Handel;1-9;;;\r\n"
    ";Niemand;niemand@example.com;Handel;1-9;;;\r\n"
    "Riesig AG;Rita Riesig;rita@riesig.example;Industrie;1000;;;\r\n"
    "Bäckerei Doppelt;Petra S.;info@baeckerei.example;Handwerk;1-9;;;\r\n"
)


async def make_contact(n: int, **overrides) -> Contact:  # noqa: ANN003
    data = {
        "company": f"Firma {n}",
        "contact_person": f"Person {n}",
        "email": f"contact{n}@example.com",
        "sector": "Handwerk",
        "size": "1-9",
        "tags": "Innenstadt",
    }
    data.update(overrides)
    return await contacts.save_contact(None, validate(ContactInput, data))


# Directory


async def test_contacts_are_validated_and_filtered(database) -> None:
    for language, word in (("de", "Größe"), ("en", "size")):
        token = i18n.current_locale.set(language)
        try:
            with pytest.raises(FieldErrors) as refused:
                await make_contact(0, company="", email="nope", size="huge", consent_at="32.13.2026")
        finally:
            i18n.current_locale.reset(token)
        assert set(refused.value.errors) == {"company", "email", "size", "consent_at"}
        assert word in refused.value.errors["size"]
    assert await Contact.all().count() == 0

    await make_contact(1, tags="Innenstadt, Nahversorgung")
    await make_contact(2, sector="IT", size="250+", tags="Digital")
    await make_contact(3, company="Café am Markt", email="hallo@cafe.example")
    with pytest.raises(EventError) as clash:
        await make_contact(4, email="CONTACT1@example.com")
    assert "email" in clash.value.errors

    def emails(found: list[Contact]) -> list[str]:
        return sorted(c.email for c in found)

    assert emails(await contacts.list_contacts(ContactFilter(sector="IT"))) == ["contact2@example.com"]
    assert emails(await contacts.list_contacts(ContactFilter(size="1-9"))) == [
        "contact1@example.com",
        "hallo@cafe.example",
    ]
    assert emails(await contacts.list_contacts(ContactFilter(tag="nahversorgung"))) == ["contact1@example.com"]
    assert emails(await contacts.list_contacts(ContactFilter(q="café"))) == ["hallo@cafe.example"]
    assert await contacts.all_tags() == ["Digital", "Innenstadt", "Nahversorgung"]


# CSV import


async def test_preview_reports_every_row_and_writes_nothing(database) -> None:
    i18n.current_locale.set("en")
    await make_contact(9, email="k.mueller@metall.example", company="Alter Name")
    report = await contacts.preview_import(GERMAN_CSV.encode("utf-8-sig"), SKIP)
    by_line = {row.line: row for row in report.rows}
    assert [row.status for row in report.rows] == ["new", "skip", "error", "error", "error", "error"]
    assert by_line[2].data["email"] == "info@baeckerei.example"
    assert by_line[2].data["tags"] == ["Innenstadt", "Nahversorgung"]
    assert by_line[2].data["consent_at"].isoformat() == "2026-03-31"
    assert by_line[3].data["size"] == "50-249"
    assert any("valid email" in e for e in by_line[4].errors)
    assert any(e.startswith("Company: ") for e in by_line[5].errors)
    assert any("Unknown size" in e for e in by_line[6].errors)
    assert any("line 2" in e for e in by_line[7].errors)  # the same address twice in the file
    assert await Contact.all().count() == 1  # a preview writes nothing

    updating = await contacts.preview_import(GERMAN_CSV.encode(), UPDATE)
    assert [row.status for row in updating.rows][:2] == ["new", "update"]


async def test_comma_separated_english_file_without_bom_and_windows_encoding(database) -> None:
    text = (
        "Company,Contact person,Email,Sector,Size,Tags\n"
        '"Kanzlei Yilmaz, Partner",Aylin Yılmaz,a@k.example,Recht,1-9,"A, B"\n'
    )
    report = await contacts.preview_import(text.encode(), SKIP)
    [row] = report.rows
    assert row.status == "new"
    assert row.data["company"] == "Kanzlei Yilmaz, Partner"
    assert row.data["tags"] == ["A", "B"]

    cp1252 = "Firma;E-Mail;Größe\nGärtnerei Weiß;g@weiss.example;1-9\n".encode("cp1252")
    [row] = (await contacts.preview_import(cp1252, SKIP)).rows
    assert row.data["company"] == "Gärtnerei Weiß"


async def test_files_that_are_not_contact_lists_are_refused(database) -> None:
    for data in (b"", b"Name;Telefon\nA;1\n", b"x" * (contacts.MAX_CSV_BYTES + 1)):
        with pytest.raises(EventError) as refused:
            await contacts.preview_import(data, SKIP)
        assert "file" in refused.value.errors


async def test_import_writes_good_rows_and_updates_on_request(database) -> None:
    await make_contact(9, email="k.mueller@metall.example", company="Alter Name")
    report = await contacts.import_contacts(GERMAN_CSV.encode("utf-8-sig"), UPDATE)
    assert report.count("new") == 1 and report.count("update") == 1
    assert sorted(await Contact.all().values_list("email", flat=True)) == [
        "info@baeckerei.example",
        "k.mueller@metall.example",
    ]
    assert (await Contact.get(email="k.mueller@metall.example")).company == "Müller Metallbau"


async def test_a_failure_in_the_middle_rolls_back_the_whole_import(database) -> None:
    report = await contacts.preview_import(GERMAN_CSV.encode(), SKIP)
    good = report.importable
    # The same new address twice: the second insert violates the unique index after the first row was written.
    rows = [good[0], ImportRow(line=99, data={**good[1].data}), ImportRow(line=100, data={**good[1].data})]
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database's own IntegrityError class differs per driver
        await contacts.apply_import(rows)
    assert await Contact.all().count() == 0


async def test_import_pages_preview_then_confirm(staff_client) -> None:
    staff_client.cookies.set("agora_lang", "en")
    page = await staff_client.get("/staff/contacts/import")
    assert page.status_code == 200
    token = csrf_from(page.text)
    preview = await staff_client.post(
        "/staff/contacts/import/preview",
        data={"csrf_token": token, "on_existing": "skip"},
        files={"file": ("kontakte.csv", GERMAN_CSV.encode("utf-8-sig"), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    assert "Same email address as line 2" in preview.text
    assert await Contact.all().count() == 0
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)
    done = await staff_client.post(
        "/staff/contacts/import/confirm",
        data={"csrf_token": csrf_from(preview.text), "payload": payload, "on_existing": "skip"},
    )
    assert done.status_code == 303
    assert await Contact.all().count() == 2
    listing = await staff_client.get("/staff/contacts?sector=Industrie")
    assert "Müller Metallbau" in listing.text and "Bäckerei Sonnenschein" not in listing.text

    bad = await staff_client.post(
        "/staff/contacts/import/preview",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"Name;Telefon\nA;1\n", "text/csv")},
    )
    assert bad.status_code == 422 and "Firma" in bad.text
    forged = await staff_client.post(
        "/staff/contacts/import/confirm", data={"csrf_token": token, "payload": "%%%not base64"}
    )
    assert forged.status_code == 422


async def test_contact_pages_edit_and_delete(staff_client) -> None:
    created = await form_post(
        staff_client,
        "/staff/contacts/new",
        "/staff/contacts/new",
        {"company": "Softwarehaus", "email": "tim@soft.example", "size": "10-49", "tags": "IT, Digital"},
    )
    assert created.status_code == 303
    contact = await Contact.get(email="tim@soft.example")
    assert contact.tags == ["IT", "Digital"]
    invalid = await form_post(
        staff_client,
        f"/staff/contacts/{contact.id}",
        f"/staff/contacts/{contact.id}",
        {"company": "", "email": "x"},
    )
    assert invalid.status_code == 422 and 'aria-invalid="true"' in invalid.text
    assert (await Contact.get(id=contact.id)).company == "Softwarehaus"
    deleted = await form_post(staff_client, f"/staff/contacts/{contact.id}", f"/staff/contacts/{contact.id}/delete", {})
    assert deleted.status_code == 303
    assert not await Contact.exists(id=contact.id)
    assert (await staff_client.get(f"/staff/contacts/{contact.id}")).status_code == 404


async def test_visitors_do_not_see_the_directory(client) -> None:
    response = await client.get("/staff/contacts")
    assert response.status_code in (302, 303, 401, 403)


# Invitations


async def test_invitations_go_once_per_contact_with_a_personal_link(database) -> None:
    session = await published_session()
    for n in range(3):
        await make_contact(n)
    await make_contact(3, sector="IT")
    fourth = await make_contact(4)
    await contacts.save_contact(
        fourth.id,
        validate(
            ContactInput, {"company": "Firma 4", "email": fourth.email, "sector": "Handwerk", "unsubscribed": True}
        ),
    )
    await api.set_preferences("contact2@example.com", {invitations.CATEGORY: False})

    segment = ContactFilter(sector="Handwerk")
    assert len(await invitations.candidates(session.id, segment)) == 2
    assert await invitations.send_invitations(database, session.id, segment) == 2
    assert await invitations.send_invitations(database, session.id, segment) == 0  # nobody twice
    assert await invitations.send_invitations(database, session.id, ContactFilter()) == 1  # the IT contact
    sent = await mails(invitations.KIND)
    assert sorted(m.recipient for m in sent) == [
        "contact0@example.com",
        "contact1@example.com",
        "contact3@example.com",
    ]
    assert all(m.category == "invitations" for m in sent)
    assert sent[0].dedup_key == invitations.dedup_key(session.id, (await Contact.get(email=sent[0].recipient)).id)

    link = sent[0].context["registration_url"]
    assert link.startswith(f"{database.base_url}/termine/{session.id}?invitation=")
    token = link.split("invitation=", 1)[1]
    prefill = await invitations.prefill_for(token)
    assert prefill == {
        "session_id": session.id,
        "name": "Person 0",
        "email": "contact0@example.com",
        "organisation": "Firma 0",
    }
    assert await invitations.prefill_for(token + "x") is None
    assert await invitations.prefill_for("") is None


async def test_parallel_sends_invite_nobody_twice(database) -> None:
    session = await published_session()
    for n in range(5):
        await make_contact(n)
    results = await asyncio.gather(
        *(invitations.send_invitations(database, session.id, ContactFilter()) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(r for r in results if isinstance(r, int)) == 5
    assert len(await mails(invitations.KIND)) == 5
    assert await Invitation.filter(session_id=session.id).count() == 5


async def test_only_upcoming_published_sessions_take_invitations(database) -> None:
    from events import services

    published = await published_session()
    draft = await services.create_session(title="Entwurf", starts_at=published.starts_at, ends_at=published.ends_at)
    await make_contact(1)
    with pytest.raises(EventError):
        await invitations.send_invitations(database, draft.id, ContactFilter())
    assert await Invitation.all().count() == 0


async def test_registered_and_declined_are_tracked(database, client) -> None:
    session = await published_session()
    for n in range(4):
        await make_contact(n)
    await invitations.send_invitations(database, session.id, ContactFilter())
    tokens = {
        m.recipient: m.context["registration_url"].split("invitation=", 1)[1] for m in await mails(invitations.KIND)
    }

    # Registered through the link: the registration service marks it
    await register(database, session.id, 0, email="contact0@example.com", invitation=tokens["contact0@example.com"])
    assert (await Invitation.get(email="contact0@example.com")).status == INVITATION_REGISTERED
    # Registered without the link: counted by address
    await register(database, session.id, 1, email="contact1@example.com")

    # Declined through the page: the GET changes nothing, the button does
    url = f"/events/invitations/{tokens['contact2@example.com']}/decline"
    page = await client.get(url)
    assert page.status_code == 200
    assert (await Invitation.get(email="contact2@example.com")).status == "invited"
    done = await client.post(url, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200
    assert (await Invitation.get(email="contact2@example.com")).status == INVITATION_DECLINED
    assert (await client.get("/events/invitations/not-a-token/decline")).status_code == 404

    stats = await invitations.stats(session.id)
    assert (stats.invited, stats.registered, stats.declined) == (4, 2, 1)


async def test_staff_invite_pages_count_then_send(staff_client) -> None:
    staff_client.cookies.set("agora_lang", "en")
    session = await published_session()
    for n in range(3):
        await make_contact(n)
    await make_contact(3, sector="IT")
    page = await staff_client.get(f"/staff/invitations/new?session={session.id}&sector=Handwerk")
    assert page.status_code == 200
    assert re.search(r'id="recipient-count">\s*3 contacts', page.text), page.text
    assert await Invitation.all().count() == 0  # counting sends nothing
    sent = await staff_client.post(
        "/staff/invitations/send",
        data={"csrf_token": csrf_from(page.text), "session": str(session.id), "sector": "Handwerk"},
    )
    assert sent.status_code == 303
    assert await Invitation.all().count() == 3
    overview = await staff_client.get("/staff/invitations")
    assert overview.status_code == 200 and "Wirtschaft trifft Verwaltung" in overview.text
    refused = await staff_client.post(
        "/staff/invitations/send", data={"csrf_token": csrf_from(page.text), "session": "999999"}
    )
    assert refused.status_code == 422


async def test_invitation_mail_renders_with_links_and_one_click_unsubscribe(database) -> None:
    from notifications import compose

    session = await published_session()
    await make_contact(1, contact_person="Petra Sonnenschein", company="Bäckerei Sonnenschein")
    await invitations.send_invitations(database, session.id, ContactFilter())
    [row] = await mails(invitations.KIND)
    subject, text, html = compose.render_parts(row, database)
    assert session.title in subject
    assert "Petra Sonnenschein" in text and "Bäckerei Sonnenschein" in text
    assert row.context["registration_url"] in text and row.context["decline_url"] in text
    message = compose.build(row, database)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip("<>") in html


async def test_a_person_sees_and_deletes_their_directory_entry(database) -> None:
    from agora.accounts.participants.services import DELETION_HOOKS, PERSONAL_DATA_PROVIDERS
    from agora.app import register_domain_hooks

    register_domain_hooks(database)
    assert contacts.personal_data in PERSONAL_DATA_PROVIDERS and contacts.forget in DELETION_HOOKS
    session = await published_session()
    await make_contact(1, email="Petra@Example.com")
    await invitations.send_invitations(database, session.id, ContactFilter())
    data = await contacts.personal_data(1, "petra@example.com")
    assert [entry["company"] for entry in next(iter(data.values()))] == ["Firma 1"]
    assert await contacts.personal_data(1, "someone@else.example") == {}

    await contacts.forget(1, "petra@example.com")
    assert not await Contact.exists(email="petra@example.com")
    [invitation] = await Invitation.all()
    assert invitation.email.endswith("@invalid") and invitation.contact_id is None
    assert (await invitations.stats(session.id)).invited == 1  # the counts survive


async def _invite(settings, session_id: int, n: int) -> str:  # noqa: ANN001
    await make_contact(n)
    await invitations.send_invitations(settings, session_id, ContactFilter())
    sent = await mails(invitations.KIND, to=f"contact{n}@example.com")
    return sent[-1].context["registration_url"].split("invitation=", 1)[1]


async def test_the_registration_form_marks_the_invitation_of_its_link(database, client) -> None:
    session = await published_session()
    token = await _invite(database, session.id, 0)
    page = await client.get(f"/termine/{session.id}?invitation={token}")
    assert 'value="contact0@example.com"' in page.text  # prefilled from the invitation
    # Registering with another address still counts for the invitation the link belongs to.
    answer = await client.post(
        f"/termine/{session.id}/anmeldung",
        data={
            "name": "Person 0",
            "email": "assistant@example.com",
            "consent": "on",
            "invitation": token,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert answer.status_code == 200
    invitation = await Invitation.get(email="contact0@example.com")
    registration = await Registration.get(email="assistant@example.com")
    assert (invitation.status, invitation.registration_id) == (INVITATION_REGISTERED, registration.id)  # type: ignore[attr-defined]
    assert invitation.registered_at is not None


async def test_the_api_registration_marks_the_invitation_of_its_address(database, client) -> None:
    session = await published_session()
    await _invite(database, session.id, 1)
    answer = await client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={"name": "Person 1", "email": "Contact1@Example.com", "consent": True},
    )
    assert answer.status_code == 201
    invitation = await Invitation.get(email="contact1@example.com")
    assert (invitation.status, invitation.registration_id) == (
        INVITATION_REGISTERED,
        (await Registration.get(email="contact1@example.com")).id,
    )  # type: ignore[attr-defined]


async def test_a_failed_registration_leaves_the_invitation_untouched(database, monkeypatch) -> None:
    from events.services import registration as registration_services

    session = await published_session()
    token = await _invite(database, session.id, 2)

    async def broken(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        raise RuntimeError("the outbox refused the row")

    monkeypatch.setattr(registration_services, "_announce", broken)
    with pytest.raises(RuntimeError):
        await register(database, session.id, 2, email="contact2@example.com", invitation=token)
    assert not await Registration.exists(email="contact2@example.com")
    assert (await Invitation.get(email="contact2@example.com")).status == "invited"  # one transaction
