"""Results of a survey computed by SQL aggregation, with small groups suppressed.

The database counts answer rows grouped by question, matrix row, option and value; figures (percentages, mean,
median, standard deviation, NPS, top-2-box) are derived from those counts. No count of a group smaller than the
threshold (AGORA_SURVEY_MIN_GROUP) leaves this module: such a cell is replaced by None, a second cell is hidden
when the first could be worked out from the total, a filter is offered only when both the group and the rest are
large enough, and a question or a whole result under the threshold shows no figures at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from surveys.definition import Definition, QuestionDef
from surveys.models import (
    DATE,
    DROPDOWN,
    MATRIX,
    MULTIPLE,
    NPS,
    NUMBER,
    RANKING,
    RATING,
    SINGLE,
    TEXT_KINDS,
    YES_NO,
    Answer,
    Response,
)

FILTER_KINDS = (SINGLE, DROPDOWN, YES_NO)
# An answer row that holds something: an empty row stands for a question left out or hidden.
GIVEN = Q(option__not="") | Q(number__not_isnull=True) | Q(text__not="")
CROSS_KINDS = (SINGLE, DROPDOWN, YES_NO, RATING)


@dataclass
class Cell:
    key: str
    label: str
    count: int | None  # None: suppressed
    percent: float | None = None


@dataclass
class Stats:
    mean: float
    median: float
    std: float


@dataclass
class QuestionResult:
    question: QuestionDef
    answered: int | None
    cells: list[Cell] = field(default_factory=list)
    stats: Stats | None = None
    nps: float | None = None
    top2: float | None = None
    rows: list[tuple[str, list[Cell], Stats | None, float | None]] = field(default_factory=list)
    suppressed: bool = False


@dataclass
class Results:
    total: int | None
    questions: list[QuestionResult]
    suppressed: bool = False
    # The raw counts per question id, for the filters offered (never shown as they are).
    counts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def stats(values: dict[float, int]) -> Stats | None:
    """Mean, median and (sample) standard deviation of values given with their counts."""
    n = sum(values.values())
    if n == 0:
        return None
    mean = sum(v * c for v, c in values.items()) / n
    variance = sum(c * (v - mean) ** 2 for v, c in values.items()) / (n - 1) if n > 1 else 0.0
    ordered = sorted(values.items())

    def at(position: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        return ordered[-1][0]

    median = at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2
    return Stats(round(mean, 2), median, round(math.sqrt(variance), 2))


def suppress(cells: list[Cell], minimum: int, *, additive: bool) -> list[Cell]:
    """Hide counts from 1 to minimum-1; for parts of a whole, also the smallest other count when only one is hidden,
    so that it cannot be worked out from the total."""
    hidden = [c for c in cells if c.count is not None and 0 < c.count < minimum]
    for cell in hidden:
        cell.count, cell.percent = None, None
    if additive and len(hidden) == 1:
        rest = sorted((c for c in cells if c.count), key=lambda c: c.count or 0)
        if rest:
            rest[0].count, rest[0].percent = None, None
    return cells


def _percent(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


async def _counts(question_ids: list[int], within: Any) -> list[dict[str, Any]]:
    """Rows per question, matrix row, option and value. The survey's question ids select the rows (an index),
    so no join with the responses is needed unless a filter asks for it."""
    query = Answer.filter(question_id__in=question_ids)
    if within is not None:
        query = query.filter(response_id__in=within)
    return await (
        query.annotate(n=Count("id"))
        .group_by("question_id", "row", "option", "number")
        .values("question_id", "row", "option", "number", "n")
    )


async def _asked(
    definition: Definition, rows: dict[int, list[dict[str, Any]]], total: int, within: Any
) -> dict[int, int]:
    """Per question: the responses that answered it. Every response has rows for every question (an empty row for
    one not answered, rows added when a question is added later), so a response did not answer a question exactly
    when it has the empty row; a text's empty row is told from an answer by its text, counted apart."""
    asked: dict[int, int] = {}
    texts = [q.id for q in definition.questions if q.kind in TEXT_KINDS or q.kind == DATE]
    for question in definition.questions:
        empty = sum(
            r["n"] for r in rows.get(question.id, []) if not r["option"] and r["number"] is None and not r["row"]
        )
        asked[question.id] = total - empty
    if texts:
        query = Answer.filter(question_id__in=texts, text="", option="")
        if within is not None:
            query = query.filter(response_id__in=within)
        blank = {
            r["question_id"]: r["n"]
            for r in await query.annotate(n=Count("id")).group_by("question_id").values("question_id", "n")
        }
        for question_id in texts:
            asked[question_id] = total - blank.get(question_id, 0)
    return asked


def within_filter(definition: Definition, code: str, option: str) -> Any:
    question = definition.question(code)
    if question is None:
        return None
    return Subquery(Answer.filter(question_id=question.id, option=option).values("response_id"))


async def results(
    definition: Definition,
    minimum: int,
    *,
    filter_code: str = "",
    filter_option: str = "",
    session_id: int | None = None,
) -> Results:
    within = within_filter(definition, filter_code, filter_option) if filter_code else None
    if session_id is not None:
        only = Subquery(Response.filter(survey_id=definition.id, session_id=session_id).values("id"))
        within = only if within is None else within
    base = Response.filter(survey_id=definition.id)
    if within is not None:
        base = base.filter(id__in=within)
    total = await base.count()
    if total < minimum:
        return Results(total=None, questions=[], suppressed=True)
    counts = await _counts([q.id for q in definition.questions], within)
    by_question: dict[int, list[dict[str, Any]]] = {}
    for row in counts:
        by_question.setdefault(row["question_id"], []).append(row)
    asked = await _asked(definition, by_question, total, within)
    out = [_question(q, by_question.get(q.id, []), asked.get(q.id, 0), minimum) for q in definition.questions]
    return Results(total=total, questions=out, counts=by_question)


def _question(question: QuestionDef, rows: list[dict[str, Any]], answered: int, minimum: int) -> QuestionResult:
    result = QuestionResult(question=question, answered=answered)
    if answered < minimum:
        return QuestionResult(question=question, answered=None, suppressed=True)
    kind = question.kind
    if kind in (SINGLE, DROPDOWN, YES_NO, MULTIPLE):
        got = {r["option"]: 0 for r in rows}
        for r in rows:
            got[r["option"]] = got.get(r["option"], 0) + r["n"]
        result.cells = [
            Cell(o.code, o.label, got.get(o.code, 0), _percent(got.get(o.code, 0), answered))
            for o in question.choices()
        ]
        suppress(result.cells, minimum, additive=kind != MULTIPLE)
    elif kind in (RATING, NPS, NUMBER):
        values = {r["number"]: r["n"] for r in rows if r["number"] is not None}
        result.stats = stats(values)
        if kind != NUMBER:
            result.cells = [
                Cell(str(v), str(v), values.get(float(v), 0), _percent(values.get(float(v), 0), answered))
                for v in question.scale()
            ]
            suppress(result.cells, minimum, additive=True)
        if kind == NPS:
            promoters = sum(c for v, c in values.items() if v >= 9)
            detractors = sum(c for v, c in values.items() if v <= 6)
            result.nps = round(100 * (promoters - detractors) / answered, 1)
        if kind == RATING:
            result.top2 = _percent(sum(c for v, c in values.items() if v >= 4), answered)
    elif kind == MATRIX:
        for row in question.rows:
            values = {r["number"]: r["n"] for r in rows if r["row"] == row.code and r["number"] is not None}
            n = sum(values.values())
            if n < minimum:
                result.rows.append((row.label, [], None, None))
                continue
            cells = [
                Cell(str(v), str(v), values.get(float(v), 0), _percent(values.get(float(v), 0), n))
                for v in question.scale()
            ]
            top2 = _percent(sum(c for v, c in values.items() if v >= 4), n)
            result.rows.append((row.label, suppress(cells, minimum, additive=True), stats(values), top2))
    elif kind == RANKING:
        for option in question.options:
            values = {r["number"]: r["n"] for r in rows if r["option"] == option.code and r["number"] is not None}
            n = sum(values.values())
            result.rows.append((option.label, [], stats(values) if n >= minimum else None, None))
    # Texts and dates: the count; the texts themselves are read on their own page.
    return result


# --- filters, cross-tab, trend, texts ---------------------------------------------------------------------------


async def filter_choices(
    definition: Definition, minimum: int, unfiltered: Results | None = None
) -> list[tuple[str, str, str, str]]:
    """(code, option, question label, option label) of every group large enough, with the rest large enough too.
    The unfiltered results, when at hand, already hold the counts."""
    ids = {q.id: q for q in definition.questions if q.kind in FILTER_KINDS}
    if not ids:
        return []
    if unfiltered is not None and unfiltered.total is not None:
        total = unfiltered.total
        rows = [r for i in ids for r in unfiltered.counts.get(i, []) if r["option"]]
    else:
        total = await Response.filter(survey_id=definition.id).count()
        rows = await (
            Answer.filter(question_id__in=list(ids))
            .exclude(option="")
            .annotate(n=Count("id"))
            .group_by("question_id", "option")
            .values("question_id", "option", "n")
        )
    choices = []
    for row in rows:
        question = ids[row["question_id"]]
        if row["n"] >= minimum and total - row["n"] >= minimum:
            choices.append((question.code, row["option"], question.label, question.label_of(row["option"])))
    order = {q.code: i for i, q in enumerate(definition.questions)}
    return sorted(choices, key=lambda c: (order[c[0]], c[1]))


def _placeholder(index: int) -> str:
    dialect = connections.get("default").capabilities.dialect
    return f"${index}" if dialect == "postgres" else "?"


async def crosstab(definition: Definition, code_a: str, code_b: str, minimum: int) -> dict[str, Any] | None:
    """Counts of two questions' answers together (rows: a, columns: b), small cells suppressed."""
    a, b = definition.question(code_a), definition.question(code_b)
    if a is None or b is None or a.kind not in CROSS_KINDS or b.kind not in CROSS_KINDS or a.id == b.id:
        return None

    def value(alias: str, question: QuestionDef) -> str:
        return f"{alias}.number" if question.kind == RATING else f"{alias}.option"

    # Only column names chosen here and placeholders go into the text; the ids are parameters.
    sql = (
        f"SELECT {value('x', a)} AS a, {value('y', b)} AS b, COUNT(*) AS n FROM surveys_answer x "  # noqa: S608
        "JOIN surveys_answer y ON y.response_id = x.response_id "
        f"WHERE x.question_id = {_placeholder(1)} AND y.question_id = {_placeholder(2)} "
        f"GROUP BY {value('x', a)}, {value('y', b)}"
    )
    rows = await connections.get("default").execute_query_dict(sql, [a.id, b.id])

    def keys(question: QuestionDef) -> list[tuple[str, str]]:
        if question.kind == RATING:
            return [(str(v), str(v)) for v in question.scale()]
        return [(o.code, o.label) for o in question.choices()]

    def key(question: QuestionDef, raw: Any) -> str:
        if raw is None or raw == "":
            return ""
        return str(int(float(raw))) if question.kind == RATING else str(raw)

    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[(key(a, row["a"]), key(b, row["b"]))] = counts.get((key(a, row["a"]), key(b, row["b"])), 0) + int(
            row["n"]
        )
    columns = keys(b)
    table = []
    for row_key, row_label in keys(a):
        cells = [Cell(col_key, col_label, counts.get((row_key, col_key), 0)) for col_key, col_label in columns]
        suppress(cells, minimum, additive=False)
        total = sum(counts.get((row_key, c), 0) for c, _l in columns)
        table.append((row_label, cells, total if total >= minimum or total == 0 else None))
    # A row with exactly one hidden cell and a shown total would give it away: hide its total too.
    table = [
        (label, cells, None if sum(1 for c in cells if c.count is None) == 1 else total)
        for label, cells, total in table
    ]
    return {"a": a, "b": b, "columns": columns, "rows": table}


async def trend(code: str, waves: list[tuple[int, str]], minimum: int) -> list[dict[str, Any]]:
    """The same question code across sessions (waves: session id and label, in order): per session the number of
    answers and, when numeric, the mean, or for a choice the share of each option; small sessions suppressed."""
    ids = [session_id for session_id, _label in waves]
    rows = await (
        Answer.filter(GIVEN, question_id__in=Subquery(_code_ids(code)), response__session_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("response__session_id", "option", "number")
        .values("response__session_id", "option", "number", "n")
    )
    by_session: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_session.setdefault(row["response__session_id"], []).append(row)
    answered = await (
        Answer.filter(GIVEN, question_id__in=Subquery(_code_ids(code)), response__session_id__in=ids)
        .annotate(n=Count("response_id", distinct=True))
        .group_by("response__session_id")
        .values("response__session_id", "n")
    )
    counts = {row["response__session_id"]: row["n"] for row in answered}
    out = []
    for session_id, label in waves:
        n = counts.get(session_id, 0)
        if n < minimum:
            out.append({"session_id": session_id, "label": label, "n": None, "mean": None, "shares": {}})
            continue
        data = by_session.get(session_id, [])
        values = {r["number"]: r["n"] for r in data if r["number"] is not None and not r["option"]}
        figures = stats(values)
        options: dict[str, int] = {}
        for r in data:
            if r["option"]:
                options[r["option"]] = options.get(r["option"], 0) + r["n"]
        shares = {o: (_percent(c, n) if c >= minimum else None) for o, c in options.items()}
        out.append(
            {
                "session_id": session_id,
                "label": label,
                "n": n,
                "mean": figures.mean if figures else None,
                "shares": shares,
            }
        )
    return out


def _code_ids(code: str) -> Any:
    from surveys.models import Question

    return Question.filter(code=code).values("id")


async def texts(definition: Definition, code: str, search: str = "", limit: int = 200) -> list[Answer]:
    question = definition.question(code)
    if question is None or (question.kind not in TEXT_KINDS and not question.has_other):
        return []
    query = Answer.filter(question_id=question.id).exclude(text="")
    if search:
        query = query.filter(text__icontains=search)
    return await query.order_by("id").limit(limit)


async def response_rates(survey_id: int) -> list[dict[str, Any]]:
    """Per session asked (None: links without a session): personal links sent, used, and the rate in percent."""
    from surveys.models import Token

    sent = await (
        Token.filter(survey_id=survey_id).annotate(n=Count("id")).group_by("session_id").values("session_id", "n")
    )
    used = await (
        Token.filter(survey_id=survey_id, used_on__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("session_id")
        .values("session_id", "n")
    )
    answered = {row["session_id"]: row["n"] for row in used}
    return [
        {
            "session_id": row["session_id"],
            "sent": row["n"],
            "used": answered.get(row["session_id"], 0),
            "rate": _percent(answered.get(row["session_id"], 0), row["n"]),
        }
        for row in sorted(sent, key=lambda r: (r["session_id"] is None, r["session_id"] or 0))
    ]


async def response_count(survey_id: int, session_id: int | None = None) -> int:
    query = Response.filter(survey_id=survey_id)
    if session_id is not None:
        query = query.filter(session_id=session_id)
    return await query.count()


__all__ = ["DATE", "NUMBER", "Results", "crosstab", "results", "trend"]
