"""The JSON API of consultations under /api/v1: published consultations, their sections, published contributions
and published responses. Read-only and public; private persons appear without their name unless they agreed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from agora import api
from agora.api import PageMeta, PageQuery, ok
from participation.models import PUBLISHED, XBETEILIGUNG_CODES, Consultation
from participation.services import consultations
from participation.services.public import consultation_view, public_name


class ConsultationOut(BaseModel):
    slug: str
    title: str
    summary: str
    office: str
    contact_name: str
    contact_email: str
    topics: list[str]
    phase: str
    opens_at: datetime | None
    closes_at: datetime | None
    url: str


class ConsultationPage(BaseModel):
    items: list[ConsultationOut]
    meta: PageMeta


class ResponseOut(BaseModel):
    vote: str
    xbeteiligung_code: int
    text: str
    published_at: datetime | None


class ContributionOut(BaseModel):
    id: int
    number: int
    section: str | None
    parent_id: int | None
    category: str
    text: str
    author: str | None
    created_at: datetime
    supports: int
    response: ResponseOut | None


class SectionOut(BaseModel):
    number: str
    anchor: str
    heading: str
    text: str
    start: int
    end: int


class ConsultationDetail(ConsultationOut):
    sections: list[SectionOut]
    contributions: list[ContributionOut]


def _out(request: Request, c: Consultation) -> dict[str, object]:
    return {
        "slug": c.slug,
        "title": c.title,
        "summary": c.summary,
        "office": c.office,
        "contact_name": c.contact_name,
        "contact_email": c.contact_email,
        "topics": c.topics,
        "phase": c.phase(),
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "url": f"{request.app.state.settings.base_url}/beteiligung/{c.slug}",
    }


async def consultation_list(request: Request, query: PageQuery) -> Response:
    rows = await consultations.public_consultations()
    start = (query.page - 1) * query.per_page
    items = [ConsultationOut.model_validate(_out(request, c)) for c in rows[start : start + query.per_page]]
    pages = max(1, -(-len(rows) // query.per_page))
    meta = PageMeta(page=query.page, per_page=query.per_page, total=len(rows), pages=pages)
    return ok(ConsultationPage(items=items, meta=meta))


async def consultation_detail(request: Request) -> Response:
    consultation = await consultations.public_consultation(request.path_params["slug"])
    view = await consultation_view(consultation, "oldest", None)
    numbers = {s.id: s.number for s in view.sections}
    contributions: list[ContributionOut] = []
    pending = [node for threads in view.threads.values() for node in threads]
    while pending:
        node = pending.pop(0)
        pending.extend(node.replies)
        item = node.contribution
        if item.status != PUBLISHED:
            continue
        answer = node.response
        contributions.append(
            ContributionOut(
                id=item.id,
                number=item.number,
                section=numbers.get(item.section_id) if item.section_id else None,
                parent_id=item.parent_id,
                category=item.category,
                text=item.body,
                author=public_name(item) or None,
                created_at=item.created_at,
                supports=item.supports_count,
                response=ResponseOut(
                    vote=answer.vote,
                    xbeteiligung_code=XBETEILIGUNG_CODES[answer.vote],
                    text=answer.text,
                    published_at=answer.published_at,
                )
                if answer
                else None,
            )
        )
    contributions.sort(key=lambda c: c.number)
    detail = ConsultationDetail.model_validate(
        {
            **_out(request, consultation),
            "sections": [
                SectionOut(number=s.number, anchor=s.anchor, heading=s.heading, text=s.body, start=s.start, end=s.end)
                for s in view.sections
            ],
            "contributions": contributions,
        }
    )
    return ok(detail)


def operations() -> list[api.Operation]:
    return [
        api.get(
            "/consultations",
            consultation_list,
            "listConsultations",
            "Published consultations, newest first",
            query=PageQuery,
            response=ConsultationPage,
        ),
        api.get(
            "/consultations/{slug}",
            consultation_detail,
            "getConsultation",
            "A consultation with its sections, published contributions and their published responses",
            response=ConsultationDetail,
            errors={404: "No published consultation has this slug."},
        ),
    ]
