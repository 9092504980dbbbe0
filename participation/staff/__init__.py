"""Staff pages of consultations. Organizers and admins edit and weigh; releasing a response needs an admin;
moderators (and admins) work the moderation queue. Every write is a POST form with the CSRF token."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from agora.i18n import gettext as _
from agora.nav import StaffLink
from agora.web import Endpoint, page, session_of, staff
from participation.services import moderation as moderation_services
from participation.staff import attachments, consultations, moderation, weighing

ROLES = ("organizer", "admin")
MODERATORS = ("moderator", "admin")
RELEASERS = ("admin",)
NAV = [
    StaffLink("Consultations", "/staff/participation", frozenset(ROLES)),
    StaffLink("Moderation", "/staff/participation/moderation", frozenset(MODERATORS)),
]


async def dashboard_widget(request: Request) -> dict[str, Any] | None:
    user = session_of(request).user
    if user is None or not user.has_role(*MODERATORS):
        return None
    waiting = await moderation_services.waiting_count()
    return {
        "title": _("Consultations"),
        "text": _("%(waiting)d contributions wait for moderation", waiting=waiting),
        "url": "/staff/participation/moderation",
        "link_text": _("Open the moderation queue"),
    }


def routes() -> list[BaseRoute]:
    def get(path: str, endpoint: Endpoint, roles: tuple[str, ...] = ROLES) -> BaseRoute:
        return page(path, endpoint, access=staff(*roles))

    def post(path: str, endpoint: Endpoint, roles: tuple[str, ...] = ROLES, name: str | None = None) -> BaseRoute:
        return page(path, endpoint, access=staff(*roles), methods=["POST"], name=name)

    base = "/staff/participation"
    c = base + "/{consultation_id}"
    return [
        get(base, consultations.consultation_list),
        get(base + "/new", consultations.consultation_new),
        post(base + "/new", consultations.consultation_create, name="participation_create"),
        get(base + "/moderation", moderation.queue_page, MODERATORS),
        post(base + "/moderation", moderation.queue_action, MODERATORS, name="participation_moderate"),
        post(base + "/participants/{participant_id}/block", moderation.block, MODERATORS),
        post(base + "/participants/{participant_id}/unblock", moderation.unblock, MODERATORS),
        get(base + "/audit", moderation.audit_page, MODERATORS),
        get(base + "/text-modules", weighing.modules_page),
        post(base + "/text-modules", weighing.module_add, name="participation_module_add"),
        post(base + "/text-modules/{module_id}/delete", weighing.module_delete),
        get(c, consultations.consultation_page),
        get(c + "/edit", consultations.consultation_edit),
        post(c + "/edit", consultations.consultation_update, name="participation_update"),
        post(c + "/received", consultations.received_add),
        post(c + "/attachments", attachments.attach),
        get(c + "/attachments/{attachment_id}", attachments.download),
        post(c + "/attachments/{attachment_id}/delete", attachments.detach),
        post(c + "/contributions/{contribution_id}/scans", attachments.attach_scan),
        get(c + "/export.{fmt}", consultations.export_all),
        get(c + "/insight", consultations.insight_page),
        get(c + "/import", consultations.import_page),
        post(c + "/import", consultations.import_preview, name="participation_import_preview"),
        post(c + "/import/save", consultations.import_save),
        get(c + "/contributions/{contribution_id}", weighing.contribution_page),
        post(c + "/contributions/{contribution_id}", weighing.respond, name="participation_respond"),
        post(c + "/groups", weighing.group_create),
        post(c + "/groups/{group_id}/respond", weighing.group_respond),
        post(c + "/groups/{group_id}/delete", weighing.group_delete),
        post(c + "/release", weighing.release, RELEASERS),
        post(c + "/publish", weighing.publish),
    ]
