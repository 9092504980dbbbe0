"""Survey definitions to and from XLSForm (the spreadsheet form standard of ODK and KoboToolbox).

Export: a page is a group (field-list), each question a row with its choices on the choices sheet, a condition
becomes `relevant`, a matrix a group of one scale question per row, a rating and NPS a choice list of their scale.
Import reads what maps back (select_one, select_multiple, rank, text, integer, decimal, date, groups as pages, the
simple forms of `relevant`) and names what it skipped.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook

from agora.db import transaction
from agora.i18n import gettext as _
from surveys import services
from surveys.definition import NO, YES, Condition, Definition, QuestionDef
from surveys.models import (
    ANSWERED,
    CONTAINS,
    DATE,
    DIFFERS,
    DROPDOWN,
    EQUALS,
    LONG_TEXT,
    MATRIX,
    MULTIPLE,
    NPS,
    NUMBER,
    RANKING,
    RATING,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Page,
    Survey,
)

MAX_BYTES = 2_000_000
MAX_ROWS = 2_000
_NAME = re.compile(r"[^A-Za-z0-9_]")


def _relevant(condition: Condition, kinds: dict[str, str]) -> str:
    if not condition.code:
        return ""
    ref, value = f"${{{condition.code}}}", condition.value.replace("'", "")
    many = kinds.get(condition.code) in (MULTIPLE, RANKING)
    if condition.op == ANSWERED:
        return f"{ref} != ''"
    if condition.op == CONTAINS:
        return f"selected({ref}, '{value}')" if many else f"contains({ref}, '{value}')"
    if condition.op == DIFFERS:
        return f"not(selected({ref}, '{value}'))" if many else f"{ref} != '{value}'"
    return f"selected({ref}, '{value}')" if many else f"{ref} = '{value}'"


def export(definition: Definition) -> bytes:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "hint", "required", "relevant", "appearance", "constraint"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append([definition.title, f"agora_survey_{definition.id}", str(definition.version)])
    kinds = {q.code: q.kind for q in definition.questions}
    lists: set[str] = set()

    def choice_list(name: str, options: list[tuple[str, str]]) -> str:
        if name not in lists:
            lists.add(name)
            for code, label in options:
                choices.append([name, code, label])
        return name

    for page in definition.pages:
        group = f"page_{page.index + 1}"
        survey.append(
            ["begin_group", group, page.title or group, "", "", _relevant(page.condition, kinds), "field-list", ""]
        )
        for q in page.questions:
            required = "yes" if q.required else ""
            relevant = _relevant(q.condition, kinds)
            options = [(o.code, o.label) for o in q.choices()]
            if q.kind == YES_NO:
                options = [(YES, _("Yes")), (NO, _("No"))]
            if q.kind == MATRIX:
                scale = choice_list("scale_1_5", [(str(v), str(v)) for v in q.scale()])
                survey.append(["begin_group", q.code, q.label, q.help, "", relevant, "field-list", ""])
                for row in q.rows:
                    survey.append([f"select_one {scale}", f"{q.code}_{row.code}", row.label, "", required, "", "", ""])
                survey.append(["end_group", "", "", "", "", "", "", ""])
                continue
            if q.kind in (RATING, NPS):
                kind = f"select_one {choice_list(f'scale_{q.kind}', [(str(v), str(v)) for v in q.scale()])}"
            elif q.kind in (SINGLE, DROPDOWN, YES_NO):
                kind = f"select_one {choice_list(q.code, options)}"
            elif q.kind == MULTIPLE:
                kind = f"select_multiple {choice_list(q.code, options)}"
            elif q.kind == RANKING:
                kind = f"rank {choice_list(q.code, options)}"
            elif q.kind == NUMBER:
                kind = "decimal"
            elif q.kind == DATE:
                kind = "date"
            else:
                kind = "text"
            bounds = []
            if q.kind == NUMBER and q.min_value is not None:
                bounds.append(f". >= {q.min_value}")
            if q.kind == NUMBER and q.max_value is not None:
                bounds.append(f". <= {q.max_value}")
            appearance = "minimal" if q.kind == DROPDOWN else "multiline" if q.kind == LONG_TEXT else ""
            survey.append([kind, q.code, q.label, q.help, required, relevant, appearance, " and ".join(bounds)])
            if q.has_other:
                other = next(o.code for o in q.options if o.is_other)
                survey.append(
                    [
                        "text",
                        f"{q.code}_other",
                        _("Other, namely"),
                        "",
                        "",
                        f"selected(${{{q.code}}}, '{other}')",
                        "",
                        "",
                    ]
                )
        survey.append(["end_group", "", "", "", "", "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import -----------------------------------------------------------------------------------------------------

_RELEVANT = [
    (re.compile(r"^\$\{(\w+)\}\s*=\s*'([^']*)'$"), EQUALS),
    (re.compile(r"^\$\{(\w+)\}\s*!=\s*''$"), ANSWERED),
    (re.compile(r"^\$\{(\w+)\}\s*!=\s*'([^']*)'$"), DIFFERS),
    (re.compile(r"^selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)$"), CONTAINS),
    (re.compile(r"^not\(\s*selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)\s*\)$"), DIFFERS),
    (re.compile(r"^contains\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)$"), CONTAINS),
]


def parse_relevant(text: str, kinds: dict[str, str]) -> tuple[str, str, str] | None:
    for pattern, op in _RELEVANT:
        match = pattern.match(text.strip())
        if match:
            code = match.group(1)
            value = match.group(2) if match.lastindex and match.lastindex > 1 else ""
            if op == CONTAINS and kinds.get(code) in (SINGLE, DROPDOWN, YES_NO):
                op = EQUALS
            return code, op, value
    return None


@dataclass
class Imported:
    survey: Survey
    skipped: list[str] = field(default_factory=list)


def _sheet(workbook: Any, name: str) -> list[dict[str, str]]:
    if name not in workbook.sheetnames:
        return []
    rows = list(workbook[name].iter_rows(values_only=True))[: MAX_ROWS + 1]
    if not rows:
        return []
    header = [str(h or "").strip().lower() for h in rows[0]]
    return [{h: "" if v is None else str(v).strip() for h, v in zip(header, row, strict=False)} for row in rows[1:]]


def _label(row: dict[str, str]) -> str:
    if row.get("label"):
        return row["label"]
    for key, value in row.items():
        if key.startswith("label") and value:
            return value
    return ""


def _code(name: str) -> str:
    code = _NAME.sub("_", name)[:40]
    return code if code and not code[0].isdigit() else f"q_{code}"[:40]


async def import_xlsform(data: bytes) -> Imported:
    """A new, unpublished survey from an XLSForm file; SurveyError when it is not one."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same refusal
        raise services.SurveyError({"file": _("This file is not an XLSForm spreadsheet (.xlsx).")}) from None
    rows = _sheet(workbook, "survey")
    if not rows or "type" not in rows[0]:
        raise services.SurveyError({"file": _("The file has no survey sheet with a type column.")})
    lists: dict[str, list[tuple[str, str, bool]]] = {}
    for choice in _sheet(workbook, "choices"):
        if choice.get("list_name") and choice.get("name"):
            lists.setdefault(choice["list_name"], []).append(
                (_code(choice["name"]), _label(choice) or choice["name"], False)
            )
    settings = (_sheet(workbook, "settings") or [{}])[0]
    title = (settings.get("form_title") or _("Imported survey"))[:200]
    skipped: list[str] = []
    kinds: dict[str, str] = {}
    async with transaction():
        survey = await services.create_survey(title=title)
        page = await Page.get(survey_id=survey.id)
        page_used = False
        depth = 0
        for row in rows:
            kind_text = row.get("type", "").strip()
            base, _sep, list_name = kind_text.partition(" ")
            name = row.get("name", "")
            if base in ("begin_group", "begin group"):
                depth += 1
                if depth == 1:
                    if page_used:
                        page = await services.add_page(survey.id, title=_label(row)[:200])
                    else:
                        await Page.filter(id=page.id).update(title=_label(row)[:200])
                    page_used = False
                continue
            if base in ("end_group", "end group"):
                depth = max(0, depth - 1)
                continue
            kind = {
                "select_one": SINGLE,
                "select_multiple": MULTIPLE,
                "rank": RANKING,
                "text": SHORT_TEXT,
                "integer": NUMBER,
                "decimal": NUMBER,
                "date": DATE,
            }.get(base)
            if kind is None or not name:
                if base not in ("start", "end", "today", "deviceid", "note", "calculate", ""):
                    skipped.append(f"{name or '?'} ({kind_text})")
                continue
            code = _code(name)
            options = lists.get(list_name.strip(), []) if kind in (SINGLE, MULTIPLE, RANKING) else []
            if kind == SINGLE and row.get("appearance") == "minimal":
                kind = DROPDOWN
            if kind == SHORT_TEXT and "multiline" in row.get("appearance", ""):
                kind = LONG_TEXT
            condition = parse_relevant(row.get("relevant", ""), kinds) if row.get("relevant") else None
            if row.get("relevant") and (condition is None or condition[0] not in kinds):
                skipped.append(f"{name}: relevant {row['relevant']}")
                condition = None
            try:
                await services.add_question(
                    survey.id,
                    page.id,
                    code=code,
                    kind=kind,
                    label=(_label(row) or name)[:500],
                    help=row.get("hint", "")[:2000],
                    required=row.get("required", "").lower() in ("yes", "true", "true()"),
                    options=options,
                    rows=[],
                    condition_code=condition[0] if condition else "",
                    condition_op=condition[1] if condition else "",
                    condition_value=condition[2] if condition else "",
                )
            except services.SurveyError as exc:
                skipped.append(f"{name}: {' '.join(exc.errors.values())}")
                continue
            kinds[code] = kind
            page_used = True
    return Imported(survey=survey, skipped=skipped)


__all__ = ["QuestionDef", "export", "import_xlsform"]
