"""Public pages of consultations: the list, a consultation with its sections and threads, contributing, supporting,
flagging, withdrawing, following, and the results with the consideration table."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute

from agora import i18n
from agora.accounts.participants import services as participants
from agora.accounts.participants.services import ParticipantError
from agora.accounts.participants.services import Throttled as SigninThrottled
from agora.accounts.sessions import client_ip
from agora.forms import FieldErrors, max_lengths, parse_form, parse_query
from agora.i18n import gettext as _
from agora.web import PUBLIC, NotFound, page, participant, path_id, redirect, render, session_of
from participation import exports
from participation.errors import ParticipationError
from participation.forms import ContributionInput, EditInput, FlagInput, FollowInput, SortQuery
from participation.labels import CATEGORY_LABELS, PHASE_LABELS, STATUS_LABELS, VOTE_LABELS, phase_steps
from participation.models import RESULT, Follow
from participation.services import attachments, consultations, contributions, results
from participation.services.contributions import EDIT_WINDOW, Throttled
from participation.services.public import consultation_view, public_name

BASE = "/beteiligung"


def _crumbs(*more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Home"), "/"), (_("Consultations"), BASE), *more]


def _participant_id(request: Request) -> int | None:
    state = session_of(request)
    return state.get("participant_id") if state is not None else None


def _signed_in(request: Request) -> int:
    """The participant of a route declared with participant access (the guard has checked it)."""
    found = _participant_id(request)
    if found is None:  # pragma: no cover - the route's access declaration refuses this first
        raise NotFound()
    return int(found)


async def consultation_list(request: Request) -> Response:
    items = await consultations.public_consultations()
    return await render(
        request,
        "participation/list.html",
        {"items": items, "phase_labels": PHASE_LABELS, "breadcrumbs": _crumbs()},
    )


async def _page(
    request: Request,
    slug: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    sort: str = "newest",
) -> Response:
    consultation = await consultations.public_consultation(slug)
    person_id = _participant_id(request)
    view = await consultation_view(consultation, sort, person_id)
    person = await participants.get_participant(person_id)
    following = (
        await Follow.get_or_none(consultation_id=consultation.id, participant_id=person_id) if person_id else None
    )
    return await render(
        request,
        "participation/consultation.html",
        {
            "c": consultation,
            "view": view,
            "sort": sort,
            "person": person,
            "following": following,
            "values": values or {"category": "suggestion", "show_name": False},
            "errors": errors or {},
            "limits": max_lengths(ContributionInput),
            "categories": CATEGORY_LABELS,
            "status_labels": STATUS_LABELS,
            "vote_labels": VOTE_LABELS,
            "steps": phase_steps(consultation),
            "phase": consultation.phase(),
            "phase_labels": PHASE_LABELS,
            "public_name": public_name,
            "breadcrumbs": _crumbs((consultation.title, None)),
            "survey": await consultations.survey_beside(consultation),
            "attachments": await attachments.public_of(consultation.id),
            "kind_names": attachments.KIND_LABELS,
        },
        status,
    )


async def consultation_page(request: Request) -> Response:
    try:
        query = parse_query(request, SortQuery)
    except FieldErrors:
        query = SortQuery()
    return await _page(request, request.path_params["slug"], sort=query.sort)


async def contribute(request: Request) -> Response:
    slug = request.path_params["slug"]
    consultation = await consultations.public_consultation(slug)
    try:
        data = await parse_form(request, ContributionInput)
    except FieldErrors as exc:
        return await _page(request, slug, values=exc.values, errors=exc.errors, status=400)
    try:
        stored = await contributions.submit(
            request.app.state.settings,
            consultation,
            data,
            participant_id=_participant_id(request),
            ip_address=client_ip(request.scope),
            language=i18n.current_locale.get(),
        )
    except Throttled as exc:
        return await _page(request, slug, values=data.model_dump(), errors=exc.errors, status=429)
    except ParticipationError as exc:
        return await _page(request, slug, values=data.model_dump(), errors=exc.errors, status=400)
    except SigninThrottled:
        message = _("Too many sign-in links were requested for this address. Please try again later.")
        return await _page(request, slug, values=data.model_dump(), errors={"email": message}, status=429)
    except ParticipantError as exc:
        return await _page(request, slug, values=data.model_dump(), errors=exc.errors, status=400)
    state = session_of(request)
    if stored is None or stored.status == "pending_verification":
        await state.flash(
            _(
                "Thank you. We have sent you an email with a link. Your contribution will be published "
                "as soon as you have confirmed your email address with it."
            )
        )
    elif stored.status == "pending_moderation":
        await state.flash(_("Thank you. Your contribution will be published after a moderator has read it."))
    else:
        await state.flash(_("Thank you. Your contribution has been published."))
    anchor = f"#beitrag-{stored.id}" if stored is not None and stored.status == "published" else ""
    return redirect(f"{BASE}/{slug}{anchor}")


async def _back(request: Request, contribution_id: int) -> Response:
    return redirect(f"{BASE}/{request.path_params['slug']}#beitrag-{contribution_id}")


async def support(request: Request) -> Response:
    await consultations.public_consultation(request.path_params["slug"])
    contribution_id = path_id(request, "contribution_id")
    try:
        added = await contributions.support(_signed_in(request), contribution_id)
    except ParticipationError as exc:
        await session_of(request).flash(" ".join(exc.errors.values()), "error")
        return await _back(request, contribution_id)
    await session_of(request).flash(
        _("Thank you for your support.") if added else _("You already support this contribution.")
    )
    return await _back(request, contribution_id)


async def flag(request: Request) -> Response:
    await consultations.public_consultation(request.path_params["slug"])
    contribution_id = path_id(request, "contribution_id")
    data = await parse_form(request, FlagInput)
    added = await contributions.flag(_signed_in(request), contribution_id, data.reason)
    await session_of(request).flash(
        _("Thank you. The moderators will look at it.") if added else _("You have already reported this.")
    )
    return await _back(request, contribution_id)


async def withdraw(request: Request) -> Response:
    await consultations.public_consultation(request.path_params["slug"])
    contribution_id = path_id(request, "contribution_id")
    await contributions.withdraw(_signed_in(request), contribution_id)
    await session_of(request).flash(_("Your contribution has been withdrawn."))
    return await _back(request, contribution_id)


async def _edit_page(request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:
    consultation = await consultations.public_consultation(request.path_params["slug"])
    contribution = await contributions.own_contribution(
        _signed_in(request),
        path_id(request, "contribution_id"),
    )
    return await render(
        request,
        "participation/edit.html",
        {
            "c": consultation,
            "contribution": contribution,
            "values": values or {"body": contribution.body},
            "errors": errors,
            "minutes": int(EDIT_WINDOW.total_seconds() // 60),
            "breadcrumbs": _crumbs((consultation.title, f"{BASE}/{consultation.slug}"), (_("Edit"), None)),
        },
        status,
    )


async def edit_page(request: Request) -> Response:
    return await _edit_page(request, {}, {})


async def edit_submit(request: Request) -> Response:
    contribution_id = path_id(request, "contribution_id")
    try:
        data = await parse_form(request, EditInput)
        await contributions.edit(_signed_in(request), contribution_id, data.body)
    except FieldErrors as exc:
        return await _edit_page(request, exc.values, exc.errors, 400)
    except ParticipationError as exc:
        return await _edit_page(request, {"body": data.body}, exc.errors, 400)
    await session_of(request).flash(_("Your contribution has been changed."))
    return await _back(request, contribution_id)


async def follow(request: Request) -> Response:
    consultation = await consultations.public_consultation(request.path_params["slug"])
    data = await parse_form(request, FollowInput)
    await contributions.follow(_signed_in(request), consultation.id, data.mode)
    await session_of(request).flash(_("You follow this consultation."))
    return redirect(f"{BASE}/{consultation.slug}#folgen")


async def unfollow(request: Request) -> Response:
    consultation = await consultations.public_consultation(request.path_params["slug"])
    await contributions.unfollow(_signed_in(request), consultation.id)
    await session_of(request).flash(_("You no longer follow this consultation."))
    return redirect(f"{BASE}/{consultation.slug}#folgen")


async def _with_result(request: Request) -> Any:
    consultation = await consultations.public_consultation(request.path_params["slug"])
    if consultation.phase() != RESULT:
        raise NotFound(_("The result of this consultation has not been published yet."))
    return consultation


async def result_page(request: Request) -> Response:
    consultation = await _with_result(request)
    view = await results.result_view(consultation)
    return await render(
        request,
        "participation/result.html",
        {
            "c": consultation,
            "view": view,
            "vote_labels": VOTE_LABELS,
            "category_labels": CATEGORY_LABELS,
            "breadcrumbs": _crumbs((consultation.title, f"{BASE}/{consultation.slug}"), (_("Result"), None)),
        },
    )


async def table_page(request: Request) -> Response:
    consultation = await _with_result(request)
    table = await exports.consideration_table(consultation)
    return await render(request, "participation/table.html", {"c": consultation, "table": table})


async def table_download(request: Request) -> Response:
    consultation = await _with_result(request)
    fmt = request.path_params["fmt"]
    if fmt not in exports.FORMATS:
        raise NotFound()
    return exports.download(await exports.consideration_table(consultation), fmt, f"abwaegung-{consultation.slug}")


async def attachment_download(request: Request) -> Response:
    consultation = await consultations.public_consultation(request.path_params["slug"])
    found = await attachments.get(consultation.id, path_id(request, "attachment_id"))
    if found.contribution_id is not None:
        raise NotFound()
    return FileResponse(
        attachments.path_of(request.app.state.settings, found),
        media_type=attachments.CONTENT_TYPES[found.kind],
        filename=found.filename,
        headers={"X-Content-Type-Options": "nosniff"},
    )


def routes() -> list[BaseRoute]:
    c = BASE + "/{slug}"
    item = c + "/beitraege/{contribution_id}"
    who = participant()
    return [
        page(BASE, consultation_list, access=PUBLIC, name="participation_list", cached=True),
        page(c, consultation_page, access=PUBLIC, name="participation_consultation", cached=True),
        page(c + "/beitrag", contribute, access=PUBLIC, methods=["POST"], name="participation_contribute"),
        page(c + "/ergebnis", result_page, access=PUBLIC, name="participation_result", cached=True),
        page(c + "/abwaegungstabelle", table_page, access=PUBLIC, name="participation_table", cached=True),
        page(c + "/abwaegungstabelle.{fmt}", table_download, access=PUBLIC, name="participation_table_download"),
        page(c + "/anlagen/{attachment_id}", attachment_download, access=PUBLIC, name="participation_attachment"),
        page(c + "/folgen", follow, access=who, methods=["POST"], name="participation_follow"),
        page(c + "/entfolgen", unfollow, access=who, methods=["POST"], name="participation_unfollow"),
        page(item + "/unterstuetzen", support, access=who, methods=["POST"], name="participation_support"),
        page(item + "/melden", flag, access=who, methods=["POST"], name="participation_flag"),
        page(item + "/zurueckziehen", withdraw, access=who, methods=["POST"], name="participation_withdraw"),
        page(item + "/bearbeiten", edit_page, access=who, name="participation_edit"),
        page(item + "/bearbeiten", edit_submit, access=who, methods=["POST"], name="participation_edit_submit"),
    ]
