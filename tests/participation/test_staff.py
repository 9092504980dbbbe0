"""Staff pages: creating and editing a consultation, moderation, weighing, groups, release, publication and the
final notice (one mail per person per batch), the results and the consideration table in every format."""

from __future__ import annotations

import csv
import io

from docx import Document
from openpyxl import load_workbook

from notifications.models import OutboxMessage
from participation.models import (
    HIDDEN,
    PUBLISHED,
    RELEASED,
    RESPONSE_PUBLISHED,
    AuditEntry,
    Block,
    Consultation,
    Contribution,
    Group,
    Response,
    Section,
    Support,
    TextModule,
)
from tests.conftest import form_post, login, make_user, new_client
from tests.participants.helpers import sign_in
from tests.participation.helpers import BODY, ago, open_consultation

STAFF = "/staff/participation"


async def test_staff_create_preview_and_edit_keep_unchanged_sections(staff_client):
    form = {"title": "Radverkehr", "body": BODY, "moderation": "pre", "flag_threshold": "3"}
    preview = await form_post(staff_client, STAFF + "/new", STAFF + "/new", {**form, "preview": "1"})
    assert preview.status_code == 200 and "2.1 Online-Dienste" in preview.text
    assert not await Consultation.exists()
    created = await form_post(staff_client, STAFF + "/new", STAFF + "/new", form)
    assert created.status_code == 303
    consultation = await Consultation.get(slug="radverkehr")
    kept = await Section.get(consultation_id=consultation.id, heading="Glasfaser")
    edit_url = f"{STAFF}/{consultation.id}/edit"
    assert (await staff_client.get(edit_url)).status_code == 200
    changed = BODY.replace("# Ziele\n\nAlle Leistungen online.", "# Neue Ziele\n\nAnders.")
    saved = await form_post(staff_client, edit_url, edit_url, {**form, "slug": "radverkehr", "body": changed})
    assert saved.status_code == 303
    assert (await Section.get(id=kept.id)).heading == "Glasfaser"
    headings = [s.heading for s in await Section.filter(consultation_id=consultation.id).order_by("position")]
    assert headings == ["Neue Ziele", "Maßnahmen", "Online-Dienste", "Glasfaser"]
    taken = await form_post(staff_client, STAFF + "/new", STAFF + "/new", {**form, "slug": "radverkehr"})
    assert taken.status_code == 400
    bad = await form_post(staff_client, STAFF + "/new", STAFF + "/new", {**form, "slug": "Groß!"})
    assert bad.status_code == 400
    order = await form_post(
        staff_client,
        STAFF + "/new",
        STAFF + "/new",
        {**form, "title": "X", "opens_at": "2027-01-02T10:00", "closes_at": "2027-01-01T10:00"},
    )
    assert order.status_code == 400
    assert (await staff_client.get(STAFF)).status_code == 200
    assert (await staff_client.get(f"{STAFF}/{consultation.id}")).status_code == 200
    assert (await staff_client.get(f"{STAFF}/999999")).status_code == 404


async def test_moderation_queue_bulk_actions_tell_the_author_and_log(staff_client, client):
    consultation = await open_consultation(moderation="pre")
    await sign_in(client, "writer@example.org")
    url = "/beteiligung/digitalstrategie"
    for text in ("Eins", "Zwei", "Drei"):
        await form_post(client, url, url + "/beitrag", {"body": text})
    ids = [c.id for c in await Contribution.filter(consultation_id=consultation.id).order_by("id")]
    queue = await staff_client.get(STAFF + "/moderation")
    assert queue.status_code == 200 and "Eins" in queue.text
    refused = await form_post(
        staff_client, STAFF + "/moderation", STAFF + "/moderation", {"action": "hide", "ids": ids[0]}
    )
    assert refused.status_code == 400
    published = await form_post(
        staff_client, STAFF + "/moderation", STAFF + "/moderation", {"action": "publish", "ids": ids[:2]}
    )
    assert published.status_code == 303
    hidden = await form_post(
        staff_client,
        STAFF + "/moderation",
        STAFF + "/moderation",
        {"action": "hide", "ids": [ids[2]], "reason": "Beleidigung"},
    )
    assert hidden.status_code == 303
    assert [c.status for c in await Contribution.filter(id__in=ids).order_by("id")] == [PUBLISHED, PUBLISHED, HIDDEN]
    notice = await OutboxMessage.get(kind="participation_hidden")
    assert notice.recipient == "writer@example.org" and notice.context["reason"] == "Beleidigung"
    assert (
        await AuditEntry.filter(action="hide").count() == 1 and await AuditEntry.filter(action="publish").count() == 2
    )
    assert "Beleidigung" in (await staff_client.get(STAFF + "/audit")).text
    filtered = await staff_client.get(f"{STAFF}/moderation?status=hidden&consultation={consultation.id}&sort=flags")
    assert "Drei" in filtered.text
    assert (await staff_client.get(STAFF + "/moderation?status=nonsense")).status_code == 200

    author = (await Contribution.get(id=ids[0])).author_id
    blocked = await form_post(
        staff_client, STAFF + "/moderation", f"{STAFF}/participants/{author}/block", {"reason": "x"}
    )
    assert blocked.status_code == 303 and await Block.exists(participant_id=author)
    twice = await form_post(staff_client, STAFF + "/moderation", f"{STAFF}/participants/{author}/block", {})
    assert twice.status_code == 400
    refused = await form_post(client, url, url + "/beitrag", {"body": "Gesperrt"})
    assert refused.status_code == 400 and not await Contribution.exists(body="Gesperrt")
    lifted = await form_post(staff_client, STAFF + "/moderation", f"{STAFF}/participants/{author}/unblock", {})
    assert lifted.status_code == 303 and not await Block.exists(participant_id=author)
    again = await form_post(staff_client, STAFF + "/moderation", f"{STAFF}/participants/{author}/unblock", {})
    assert again.status_code == 400


async def test_weighing_groups_release_publish_and_one_mail_per_person(staff_client, admin_client, client, app):
    consultation = await open_consultation()
    url = "/beteiligung/digitalstrategie"
    await sign_in(client, "citizen@example.org")
    await form_post(client, url, url + "/beitrag", {"body": "Mehr Radwege in der Innenstadt bitte"})
    await form_post(client, url, url + "/beitrag", {"body": "Wir brauchen mehr Radwege in der Innenstadt"})
    first, second = await Contribution.filter(consultation_id=consultation.id).order_by("id")
    async with new_client(app, ip="10.0.0.9") as cosigner:
        await sign_in(cosigner, "cosigner@example.org")
        for row in (first, second):
            await form_post(cosigner, url, f"{url}/beitraege/{row.id}/unterstuetzen", {})
    assert await Support.all().count() == 2

    detail = await staff_client.get(f"{STAFF}/{consultation.id}")
    assert "look similar" in detail.text or "ähnlich" in detail.text
    grouped = await form_post(
        staff_client,
        f"{STAFF}/{consultation.id}",
        f"{STAFF}/{consultation.id}/groups",
        {"title": "Radwege", "ids": [first.id, second.id]},
    )
    assert grouped.status_code == 303
    group = await Group.get(title="Radwege")
    too_few = await form_post(
        staff_client,
        f"{STAFF}/{consultation.id}",
        f"{STAFF}/{consultation.id}/groups",
        {"title": "x", "ids": [first.id]},
    )
    assert too_few.status_code == 400
    answered = await form_post(
        staff_client,
        f"{STAFF}/{consultation.id}",
        f"{STAFF}/{consultation.id}/groups/{group.id}/respond",
        {
            f"group_{group.id}_vote": "partly",
            f"group_{group.id}_text": "Radwege kommen 2027.",
            f"group_{group.id}_office": "Tiefbauamt",
        },
    )
    assert answered.status_code == 303
    assert await Response.filter(vote="partly").count() == 2

    # An organizer may not release; an admin may.
    refused = await form_post(
        staff_client, f"{STAFF}/{consultation.id}", f"{STAFF}/{consultation.id}/release", {"ids": [first.id]}
    )
    assert refused.status_code == 403
    nothing = await form_post(staff_client, f"{STAFF}/{consultation.id}", f"{STAFF}/{consultation.id}/publish", {})
    assert nothing.status_code == 400
    released = await form_post(
        admin_client,
        f"{STAFF}/{consultation.id}",
        f"{STAFF}/{consultation.id}/release",
        {"ids": [first.id, second.id]},
    )
    assert released.status_code == 303 and await Response.filter(state=RELEASED).count() == 2
    published = await form_post(staff_client, f"{STAFF}/{consultation.id}", f"{STAFF}/{consultation.id}/publish", {})
    assert published.status_code == 303
    assert await Response.filter(state=RESPONSE_PUBLISHED).count() == 2
    notices = await OutboxMessage.filter(kind="participation_response").order_by("recipient")
    assert [n.recipient for n in notices] == ["citizen@example.org", "cosigner@example.org"]
    assert all(len(n.context["items"]) == 2 for n in notices)

    page = await staff_client.get(f"{STAFF}/{consultation.id}/contributions/{first.id}")
    assert page.status_code == 200 and "Radwege kommen 2027." in page.text
    locked = await form_post(
        staff_client, page.request.url.path, page.request.url.path, {"vote": "noted", "text": "anders"}
    )
    assert locked.status_code == 400

    await Consultation.filter(id=consultation.id).update(
        closes_at=ago(2), evaluation_at=ago(1), result_published_at=ago(0.5)
    )
    result = await client.get(url + "/ergebnis")
    assert result.status_code == 200 and "Radwege kommen 2027." in result.text
    assert (await client.get(url + "/abwaegungstabelle")).status_code == 200
    xlsx = await client.get(url + "/abwaegungstabelle.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][6] == "Mehr Radwege in der Innenstadt bitte" and values[1][8] == "1000"
    docx = Document(io.BytesIO((await client.get(url + "/abwaegungstabelle.docx")).content))
    assert "Radwege kommen 2027." in [c.text for c in docx.tables[0].rows[1].cells]
    text = (await client.get(url + "/abwaegungstabelle.csv")).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[2][9] == "Radwege kommen 2027."
    assert (await client.get(url + "/abwaegungstabelle.pdf")).status_code == 404
    for fmt in ("csv", "xlsx", "docx"):
        assert (await staff_client.get(f"{STAFF}/{consultation.id}/export.{fmt}")).status_code == 200
    assert (await staff_client.get(f"{STAFF}/{consultation.id}/export.pdf")).status_code == 404


async def test_single_response_draft_and_text_modules(staff_client):
    consultation = await open_consultation()
    row = await Contribution.create(
        consultation_id=consultation.id, number=1, body='=HYPERLINK("x")', status=PUBLISHED, received_at=ago(1)
    )
    page_url = f"{STAFF}/{consultation.id}/contributions/{row.id}"
    bad = await form_post(staff_client, page_url, page_url, {"vote": "maybe", "text": ""})
    assert bad.status_code == 400 and not await Response.exists()
    ok = await form_post(staff_client, page_url, page_url, {"vote": "noted", "text": "Danke", "note": "intern"})
    assert ok.status_code == 303
    assert (await Contribution.get(id=row.id)).note == "intern"
    modules = STAFF + "/text-modules"
    assert (await form_post(staff_client, modules, modules, {"title": "", "text": ""})).status_code == 400
    assert (
        await form_post(staff_client, modules, modules, {"title": "Dank", "text": "Vielen Dank", "vote": "noted"})
    ).status_code == 303
    module = await TextModule.get(title="Dank")
    assert "Vielen Dank" in (await staff_client.get(page_url)).text
    deleted = await form_post(staff_client, modules, f"{modules}/{module.id}/delete", {})
    assert deleted.status_code == 303 and not await TextModule.exists()
    assert (await form_post(staff_client, modules, f"{modules}/{module.id}/delete", {})).status_code == 404
    export = await staff_client.get(f"{STAFF}/{consultation.id}/export.csv")
    assert "'=HYPERLINK" in export.content.decode("utf-8-sig")


async def test_received_elsewhere_is_entered_and_weighed(staff_client):
    consultation = await open_consultation()
    url = f"{STAFF}/{consultation.id}"
    bad = await form_post(staff_client, url, url + "/received", {"kind": "online", "body": "x"})
    assert bad.status_code == 400
    wrong = await form_post(
        staff_client, url, url + "/received", {"kind": "letter", "body": "x", "section_id": "99999"}
    )
    assert wrong.status_code == 400
    ok = await form_post(
        staff_client,
        url,
        url + "/received",
        {
            "kind": "letter",
            "body": "Brief zum Glasfaser",
            "sender": "Erika Muster\nHauptstr. 1",
            "received_on": "2026-11-30T09:00",
        },
    )
    assert ok.status_code == 303
    row = await Contribution.get(body="Brief zum Glasfaser")
    assert row.kind == "letter" and row.author_name == "Erika Muster" and not row.show_name
    assert row.received_at.day == 30


async def test_moderators_and_organizers_see_only_their_pages(app):
    await make_user("mod@example.org", ["moderator"])
    async with new_client(app) as mod:
        await login(mod, "mod@example.org")
        assert (await mod.get(STAFF + "/moderation")).status_code == 200
        assert (await mod.get(STAFF)).status_code == 403


async def test_insight_shows_a_chart_and_its_table(staff_client):
    consultation = await open_consultation()
    url = f"{STAFF}/{consultation.id}/insight"
    empty = await staff_client.get(url)
    assert empty.status_code == 200 and "<svg" not in empty.text
    sections = await Section.filter(consultation_id=consultation.id).order_by("position")
    for day, section in ((3, sections[0]), (3, sections[0]), (1, None)):
        await Contribution.create(
            consultation_id=consultation.id,
            section_id=section.id if section else None,
            number=day,
            body="x",
            status=PUBLISHED,
            received_at=ago(day),
            supports_count=2,
            flags_count=1,
        )
    page = await staff_client.get(url)
    assert page.status_code == 200 and '<svg role="img"' in page.text
    assert page.text.count("<rect") == 2
    assert "<dd>6</dd>" in page.text and "<dd>3</dd>" in page.text and "<td>2</td>" in page.text
