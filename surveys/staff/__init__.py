"""Staff pages of surveys: the builder, preview, analysis, trend, texts, exports. Organisers and admins only."""

from __future__ import annotations

from starlette.routing import BaseRoute

from agora.nav import StaffLink
from agora.web import Endpoint, page, staff
from surveys.staff import builder, results

ROLES = ("organizer", "admin")
NAV = [StaffLink("Surveys", "/staff/surveys", frozenset(ROLES))]


def routes() -> list[BaseRoute]:
    access = staff(*ROLES)

    def get(path: str, endpoint: Endpoint) -> BaseRoute:
        return page(path, endpoint, access=access)

    def post(path: str, endpoint: Endpoint, name: str | None = None) -> BaseRoute:
        return page(path, endpoint, access=access, methods=["POST"], name=name)

    s = "/staff/surveys/{survey_id}"
    return [
        get("/staff/surveys", builder.survey_list),
        post("/staff/surveys/new", builder.survey_create),
        post("/staff/surveys/template", builder.survey_template),
        post("/staff/surveys/import", builder.survey_import),
        get(s + "/xlsform.xlsx", builder.xlsform_export),
        get(s, builder.survey_detail),
        post(s + "/settings", builder.survey_settings),
        post(s + "/pages", builder.page_add),
        post(s + "/questions", builder.question_add),
        get(s + "/questions/{question_id}", builder.question_edit),
        post(s + "/questions/{question_id}", builder.question_update, "survey_question_update"),
        post(s + "/questions/{question_id}/delete", builder.question_delete),
        post(s + "/duplicate", builder.survey_duplicate),
        get(s + "/preview", builder.preview),
        get(s + "/analysis", results.analysis_page),
        get(s + "/texts", results.texts_page),
        post(s + "/texts/{answer_id}", results.tag_text),
        get(s + "/trend", results.trend_page),
        get(s + "/report", results.report),
        get(s + "/export.{fmt}", results.export),
    ]
