"""Analysis by SQL aggregation: counts, figures, filters, cross-tab, trend; small groups never shown."""

from __future__ import annotations

from surveys import analysis, charts
from surveys.definition import load
from surveys.keywords import frequencies
from tests.surveys.helpers import answer, published_template, typical


async def _results(survey, minimum: int = 5, **kwargs) -> analysis.Results:  # noqa: ANN001, ANN003
    return await analysis.results(await load(survey), minimum, **kwargs)


def _by_code(results: analysis.Results) -> dict[str, analysis.QuestionResult]:
    return {r.question.code: r for r in results.questions}


async def test_counts_figures_and_suppression(database) -> None:
    survey = await published_template()
    assert (await _results(survey)).suppressed  # nothing at all before five responses
    for n in range(10):
        await answer(survey, {**typical(n), "size": "xl" if n < 2 else "s"})
    results = await _results(survey)
    assert results.total == 10
    got = _by_code(results)
    overall = got["overall"]  # 5,4,3,5,4,3,5,4,3,5
    assert overall.answered == 10 and overall.stats is not None
    assert (overall.stats.mean, overall.stats.median) == (4.1, 4.0)
    assert overall.top2 == 70.0
    cells = {c.key: c.count for c in overall.cells}
    assert cells["1"] == 0 and cells["3"] is cells["4"] is cells["5"] is None  # 3 and 4 of 10 are small groups
    assert got["recommend"].nps == 20.0  # 10,9,8,7,6 twice: 4 promoters, 2 detractors of 10
    topics = {c.key: (c.count, c.percent) for c in got["topics"].cells}
    assert topics["permits"] == (5, 50.0) and topics["staff"] == (5, 50.0)  # counted per option
    size = {c.key: c.count for c in got["size"].cells}
    assert size["xl"] is None and size["s"] is None  # the one hidden cell would follow from the total
    assert got["contacts_detail"].answered == 7 and got["wishes"].answered == 10
    matrix = dict((label, (s.mean if s else None, top)) for label, _c, s, top in got["organisation"].rows)
    assert matrix["Veranstaltungsort"] == (4.0, 100.0)


async def test_filters_and_cross_tab_only_show_large_groups(database) -> None:
    survey = await published_template()
    for n in range(12):
        await answer(survey, {**typical(n), "sector": "craft" if n < 6 else ("trade" if n < 9 else "industry")})
    definition = await load(survey)
    choices = [(code, option) for code, option, _q, _o in await analysis.filter_choices(definition, 5)]
    assert ("sector", "craft") in choices
    assert ("sector", "trade") not in choices and ("sector", "industry") not in choices
    filtered = await analysis.results(definition, 5, filter_code="sector", filter_option="craft")
    assert filtered.total == 6
    table = await analysis.crosstab(definition, "sector", "contacts", 5)
    assert table is not None
    rows = {label: ([c.count for c in cells], total) for label, cells, total in table["rows"]}
    assert rows["Handel"] == ([None, None], None)
    assert await analysis.crosstab(definition, "sector", "wishes", 5) is None


async def test_trend_across_sessions_hides_small_sessions(database) -> None:
    survey = await published_template()
    for n in range(6):
        await answer(survey, typical(n), session_id=101)
    for n in range(2):
        await answer(survey, typical(n), session_id=102)
    rows = await analysis.trend("overall", [(101, "Januar"), (102, "April")], 5)
    assert rows[0]["n"] == 6 and rows[0]["mean"] == 4.0
    assert rows[1]["n"] is None and rows[1]["mean"] is None
    choice = await analysis.trend("contacts", [(101, "Januar")], 5)
    assert set(choice[0]["shares"]) == {"yes", "no"} and choice[0]["shares"]["no"] is None


async def test_texts_keywords_and_charts(database) -> None:
    survey = await published_template()
    for n in range(6):
        await answer(survey, typical(n))
    definition = await load(survey)
    found = await analysis.texts(definition, "wishes", "genehmig")
    assert len(found) == 6
    assert await analysis.texts(definition, "overall") == []
    words = dict(frequencies([a.text for a in found]))
    assert words["genehmigungen"] == 6 and "und" not in words
    svg = charts.bars("c", "Titel <b>", [charts.Bar("A", 40.0), charts.Bar("B", None)])
    assert '<title id="c-title">Titel &lt;b&gt;</title>' in svg and "B: ausgeblendet" in svg
    line = charts.line(
        "t", "Verlauf", [charts.Bar("1", 4.0), charts.Bar("2", None), charts.Bar("3", 3.5)], low=1, high=5
    )
    assert line.count("<circle") == 2 and "2: ausgeblendet" in line


async def test_a_question_added_later_counts_no_answers_from_earlier_responses(database) -> None:
    from surveys import services
    from surveys.models import Answer, Page

    survey = await published_template()
    for n in range(5):
        await answer(survey, typical(n))
    page = await Page.filter(survey_id=survey.id).first()
    assert page is not None
    later = await services.add_question(survey.id, page.id, code="later", kind="multiple", label="Neu",
                                        options=[("a", "A", False), ("b", "B", False)], rows=[])  # fmt: skip
    assert await Answer.filter(question_id=later.id).count() == 5  # an empty row for each earlier response
    got = _by_code(await _results(survey))
    assert got["later"].suppressed and got["overall"].answered == 5
