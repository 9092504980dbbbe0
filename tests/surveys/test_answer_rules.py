"""Each kind of question reads its answer and refuses what does not fit, with a message for the reader."""

from __future__ import annotations

import pytest

from agora import i18n
from agora.forms import FieldErrors, validate
from surveys.definition import Condition, Definition, OptionDef, PageDef, QuestionDef
from surveys.forms import Given, PageNavigation, ResponseBody, answers_model, check

CHOICES = [OptionDef("a", "A"), OptionDef("b", "B"), OptionDef("o", "Other", is_other=True)]


def q(kind: str, **extra: object) -> QuestionDef:
    return QuestionDef(id=1, code="x", kind=kind, label="X", **extra)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def english() -> object:
    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)


GOOD = [
    (q("single", options=CHOICES), Given("a"), "a"),
    (q("single", options=CHOICES), Given("o", "Breitband"), "o"),
    (q("dropdown", options=CHOICES), Given("b"), "b"),
    (q("yes_no"), Given("yes"), "yes"),
    (q("multiple", options=CHOICES, min_value=1, max_value=2), Given(["b", "a"]), ["a", "b"]),
    (q("multiple", options=CHOICES), Given("a"), ["a"]),
    (q("ranking", options=CHOICES, required=True), Given(["o", "a", "b"]), ["o", "a", "b"]),
    (q("matrix", rows=[OptionDef("r1", "R1"), OptionDef("r2", "R2")]), Given({"r1": "4", "r2": ""}), {"r1": 4}),
    (q("rating"), Given("5"), 5),
    (q("nps"), Given(0), 0),
    (q("number", min_value=1, max_value=100), Given("12,5"), 12.5),
    (q("date"), Given("2027-03-01"), "2027-03-01"),
    (q("short_text"), Given("  Hallo  "), "Hallo"),
    (q("long_text"), Given(""), None),
]


@pytest.mark.parametrize(("question", "given", "expected"), GOOD)
def test_answers_that_fit(question: QuestionDef, given: Given, expected: object) -> None:
    assert check(question, given) == expected


BAD = [
    (q("single", options=CHOICES, required=True), Given(""), "Please answer this question."),
    (q("single", options=CHOICES), Given("z"), "Please choose one of the options offered."),
    (q("single", options=CHOICES), Given("o"), "Please say what you mean by other."),
    (q("multiple", options=CHOICES), Given(["a", "a"]), "Please choose one of the options offered."),
    (q("multiple", options=CHOICES), Given([1]), "Please choose one of the options offered."),
    (q("multiple", options=CHOICES, min_value=2), Given(["a"]), "Please choose at least 2."),
    (q("multiple", options=CHOICES, max_value=1), Given(["a", "b"]), "Please choose at most 1."),
    (q("ranking", options=CHOICES), Given(["a", "a"]), "Please give each place in the ranking only once."),
    (q("ranking", options=CHOICES, required=True), Given(["a"]), "Please rank every option."),
    (q("matrix", rows=[OptionDef("r1", "R1")]), Given(["r1"]), "Please choose one of the options offered."),
    (q("matrix", rows=[OptionDef("r1", "R1")]), Given({"zz": 1}), "Please choose one of the options offered."),
    (q("matrix", rows=[OptionDef("r1", "R1")]), Given({"r1": 9}), "Please choose one of the options offered."),
    (q("matrix", required=True, rows=[OptionDef("r1", "R1"), OptionDef("r2", "R2")]), Given({"r1": 2}), "row"),
    (q("rating"), Given("6"), "Please choose one of the options offered."),
    (q("nps"), Given(True), "Please enter a number."),
    (q("number"), Given("1e309"), "Please enter a number."),
    (q("number"), Given(float("nan")), "Please enter a number."),
    (q("number", min_value=5), Given(4), "at least 5"),
    (q("number", max_value=5), Given(6), "at most 5"),
    (q("date"), Given("2027-02-30"), "Please enter a date."),
    (q("date"), Given(5), "Please enter a date."),
    (q("short_text", max_length=3), Given("abcd"), "under 3 characters"),
    (q("long_text"), Given(["x"]), "Please enter text."),
    (q("long_text"), Given("a\x00b"), "control characters"),
]


@pytest.mark.parametrize(("question", "given", "message"), BAD)
def test_answers_that_do_not_fit(question: QuestionDef, given: Given, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check(question, given)


def _definition() -> Definition:
    first = QuestionDef(id=1, code="met", kind="yes_no", label="Met?", required=True)
    why = QuestionDef(
        id=2, code="why", kind="long_text", label="Why?", required=True, condition=Condition("met", "equals", "no")
    )
    topics = QuestionDef(id=3, code="topics", kind="multiple", label="T", options=CHOICES, page=1)
    more = QuestionDef(
        id=4, code="more", kind="short_text", label="M", page=1, condition=Condition("topics", "contains", "b")
    )
    other = QuestionDef(
        id=5, code="other", kind="short_text", label="O", page=1, condition=Condition("why", "answered")
    )
    pages = [PageDef(1, 0, "", Condition(), [first, why]), PageDef(2, 1, "", Condition(), [topics, more, other])]
    return Definition(1, "S", "", "", "anonymous", "link", 1, None, pages)  # type: ignore[arg-type]


def test_conditions_hide_questions_and_their_answers() -> None:
    definition = _definition()
    model = answers_model(definition)
    with pytest.raises(FieldErrors) as refused:
        validate(model, {"met": "no"})
    assert refused.value.errors == {"why": "Please answer this question."}
    hidden = validate(model, {"met": "yes", "why": "ignored", "topics": ["a"], "more": "gone"})
    assert hidden.model_dump(by_alias=True)["why"] is None and hidden.model_dump(by_alias=True)["more"] is None
    shown = validate(model, {"met": "no", "why": "Zeit", "topics": ["b"], "more": "da", "other": "ok"})
    assert shown.model_dump(by_alias=True)["more"] == "da" and shown.model_dump(by_alias=True)["other"] == "ok"
    assert Condition("met", "differs", "no").holds({"met": "yes"})
    assert not Condition("met", "differs", "no").holds({"met": None})
    assert Condition("m", "equals", "4").holds({"m": {"r": 4}}) and Condition("n", "equals", "3").holds({"n": 3.0})
    assert Condition("t", "contains", "bau").holds({"t": "Bauamt"})
    assert definition.page_shown(1, {"met": "yes"}) and definition.question("nope") is None


def test_navigation_and_body_refusals() -> None:
    assert validate(PageNavigation, {"page": "1", "carried": '{"a": 1}'}, form=True).earlier() == {"a": 1}
    for carried in ("[1]", "{", "NaN"):
        with pytest.raises(FieldErrors):
            validate(PageNavigation, {"carried": carried}, form=True)
    with pytest.raises(FieldErrors) as refused:
        validate(ResponseBody, {"answers": {"bad key": 1}})
    assert "answers" in refused.value.errors
    with pytest.raises(FieldErrors):
        validate(ResponseBody, {"a\x01": 1})
