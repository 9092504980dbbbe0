"""Survey analysis at scale: 100,000 responses to a 10-question survey, the analysis page's computation timed.

Creates a throw-away database on each backend (a SQLite file, a PostgreSQL database), fills it with made-up
responses through bulk inserts, then times what the analysis page computes: the results of every question (SQL
aggregation with small groups suppressed), the filters offered, one filtered result and one cross-tab. Prints one
JSON line with the seconds per backend (best of --repeat runs): the page as it opens (every question with its figures
and the filters offered; the targets are 1 s on PostgreSQL and 3 s on SQLite) and, apart, the page with a filter and
a cross-tab chosen.

    python benchmarks/survey_analysis.py [--responses 100000] [--database-url postgres://...] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tortoise import connections  # noqa: E402

from agora import db  # noqa: E402
from agora.dbadmin import admin_execute, with_db_name  # noqa: E402
from agora.settings import Settings  # noqa: E402

SECRET = "benchmark-secret-" + "x" * 40
BATCH = 10_000


async def _fill(responses: int) -> int:
    """The ready follow-up template plus a number question (10 questions) and the made-up responses."""
    from surveys import services
    from surveys.definition import load
    from surveys.models import Answer, Page, Response, Survey
    from surveys.ready import create_followup_template

    survey = await create_followup_template()
    page = await Page.filter(survey_id=survey.id).order_by("-position").first()
    assert page is not None
    await services.add_question(
        survey.id, page.id, code="staff_count", kind="number", label="Beschäftigte", min_value=0
    )
    await Survey.filter(id=survey.id).update(published=True)
    definition = await load(await Survey.get(id=survey.id))
    ids = {q.code: q.id for q in definition.questions}
    rng = random.Random(7)
    day = date(2027, 1, 1)
    done = 0
    while done < responses:
        n = min(BATCH, responses - done)
        await Response.bulk_create(
            [Response(survey_id=survey.id, session_id=1 + (done + i) % 12, submitted_on=day) for i in range(n)]
        )
        created = await Response.filter(survey_id=survey.id).order_by("-id").limit(n).values_list("id", flat=True)
        rows: list[Answer] = []
        for rid in created:
            overall = rng.randint(1, 5)
            rows += [
                Answer(response_id=rid, question_id=ids["overall"], number=float(overall)),
                Answer(response_id=rid, question_id=ids["recommend"], number=float(rng.randint(0, 10))),
                Answer(response_id=rid, question_id=ids["organisation"], row="venue", number=float(rng.randint(1, 5))),
                Answer(response_id=rid, question_id=ids["organisation"], row="time", number=float(rng.randint(1, 5))),
                *[
                    Answer(response_id=rid, question_id=ids["topics"], option=code)
                    for code in rng.sample(["permits", "staff", "digital", "space"], rng.randint(1, 2))
                ],
                Answer(response_id=rid, question_id=ids["contacts"], option=rng.choice(["yes", "no"])),
                Answer(response_id=rid, question_id=ids["contacts_detail"], text="Bauamt" if overall > 3 else ""),
                Answer(response_id=rid, question_id=ids["wishes"], text=rng.choice(["", "Mehr Genehmigungen"])),
                Answer(response_id=rid, question_id=ids["sector"], option=rng.choice(["craft", "trade", "industry"])),
                Answer(response_id=rid, question_id=ids["size"], option=rng.choice(["s", "m", "l", "xl"])),
                Answer(response_id=rid, question_id=ids["staff_count"], number=float(rng.randint(1, 400))),
            ]
        await Answer.bulk_create(rows, batch_size=5_000)
        done += n
    return survey.id


async def _time_analysis(survey_id: int, repeat: int) -> tuple[float, float, int]:
    """Best times of the analysis page as it opens (every question, the filters offered) and of the page with a
    filter and a cross-tab chosen."""
    from surveys import analysis
    from surveys.definition import load
    from surveys.models import Answer, Survey

    definition = await load(await Survey.get(id=survey_id))
    page = chosen = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        results = await analysis.results(definition, 5)
        await analysis.filter_choices(definition, 5, results)
        page = min(page, time.perf_counter() - started)
        started = time.perf_counter()
        await analysis.filter_choices(definition, 5)
        await analysis.results(definition, 5, filter_code="sector", filter_option="craft")
        await analysis.crosstab(definition, "sector", "overall", 5)
        chosen = min(chosen, time.perf_counter() - started)
    assert results.total is not None and results.total > 0
    return page, chosen, await Answer.filter(question_id__in=[q.id for q in definition.questions]).count()


async def _backend(settings: Settings, responses: int, repeat: int) -> dict[str, float | int]:
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    # Tortoise caches insert statements per connection name, not per dialect: this run switches dialects.
    EXECUTOR_CACHE.clear()
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        started = time.perf_counter()
        survey_id = await _fill(responses)
        filled = time.perf_counter() - started
        # Fresh planner statistics, as autovacuum (PostgreSQL) would gather them after a day of responses.
        await connections.get("default").execute_script("ANALYZE")
        page, chosen, rows = await _time_analysis(survey_id, repeat)
    finally:
        await db.close_db()
    return {
        "analysis_page_s": round(page, 3),
        "filter_and_crosstab_s": round(chosen, 3),
        "fill_s": round(filled, 1),
        "answer_rows": rows,
    }


async def run(args: argparse.Namespace) -> dict:
    figures: dict = {"responses": args.responses, "questions": 10, "targets_s": {"postgres": 1.0, "sqlite": 3.0}}
    data_dir = Path(f"/tmp/agora_bench_surveys_{uuid.uuid4().hex[:8]}")
    data_dir.mkdir(parents=True)  # noqa: ASYNC240 - once, before anything runs
    try:
        sqlite = Settings(data_dir=data_dir, database_url=f"sqlite://{data_dir}/bench.sqlite3", secret_key=SECRET)
        figures["sqlite"] = await _backend(sqlite, args.responses, args.repeat)
        if not args.skip_postgres:
            name = f"agora_bench_{uuid.uuid4().hex[:8]}"
            await admin_execute(args.database_url, f'CREATE DATABASE "{name}"')
            try:
                postgres = Settings(
                    data_dir=data_dir, database_url=with_db_name(args.database_url, name), secret_key=SECRET
                )
                figures["postgres"] = await _backend(postgres, args.responses, args.repeat)
            finally:
                await admin_execute(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="time the analysis this often, keep the best")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-postgres", action="store_true")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
