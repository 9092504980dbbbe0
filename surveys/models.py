"""Tortoise models: surveys in pages of questions with options, tokens, responses and their answers.

Answers are rows, one per chosen option, matrix row, ranked option or value, so that the analysis counts them
in SQL. In the anonymous mode a response carries no token, no participant and only the day it came in; who
responded is kept on the token alone, which no response points to.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# Anonymity modes
ANONYMOUS, PSEUDONYMOUS, PERSONAL = "anonymous", "pseudonymous", "personal"
ANONYMITY_MODES = (ANONYMOUS, PSEUDONYMOUS, PERSONAL)
# Who may answer: anyone with the link, or only holders of a personal token
LINK, TOKENS = "link", "tokens"
ACCESS_MODES = (LINK, TOKENS)

# Question kinds
SINGLE, MULTIPLE, DROPDOWN, MATRIX = "single", "multiple", "dropdown", "matrix"
RATING, NPS, SHORT_TEXT, LONG_TEXT = "rating", "nps", "short_text", "long_text"
NUMBER, DATE, RANKING, YES_NO = "number", "date", "ranking", "yes_no"
QUESTION_KINDS = (SINGLE, MULTIPLE, DROPDOWN, MATRIX, RATING, NPS, SHORT_TEXT, LONG_TEXT, NUMBER, DATE, RANKING, YES_NO)
CHOICE_KINDS = (SINGLE, MULTIPLE, DROPDOWN, RANKING, MATRIX)
NUMERIC_KINDS = (RATING, NPS, NUMBER, MATRIX)
TEXT_KINDS = (SHORT_TEXT, LONG_TEXT)

# Condition operators: an earlier answer equals, differs from, contains a value, or was given at all
EQUALS, DIFFERS, CONTAINS, ANSWERED = "equals", "differs", "contains", "answered"
CONDITION_OPS = (EQUALS, DIFFERS, CONTAINS, ANSWERED)

# Response statuses
COMPLETE = "complete"


class Survey(Model):
    """A questionnaire with its opening time, who may answer and how anonymous the answers are."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    intro = fields.TextField(default="")
    thanks = fields.TextField(default="")
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    published = fields.BooleanField(default=False)
    anonymity = fields.CharField(max_length=20, default=ANONYMOUS)
    access = fields.CharField(max_length=10, default=LINK)
    reminder_days = fields.IntField(default=7)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    pages: fields.ReverseRelation[Page]
    questions: fields.ReverseRelation[Question]

    class Meta:
        table = "surveys_survey"


class Page(Model):
    """A page of questions, shown when its condition on an earlier answer holds (or always)."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "surveys.Survey", related_name="pages", on_delete=fields.CASCADE
    )
    survey_id: int
    position = fields.IntField(default=0)
    title = fields.CharField(max_length=200, default="")
    condition_code = fields.CharField(max_length=40, default="")
    condition_op = fields.CharField(max_length=10, default="")
    condition_value = fields.CharField(max_length=200, default="")

    class Meta:
        table = "surveys_page"


class Question(Model):
    """A question with a code that stays the same across copies of the survey, for comparing waves."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "surveys.Survey", related_name="questions", on_delete=fields.CASCADE
    )
    survey_id: int
    page: fields.ForeignKeyRelation[Page] = fields.ForeignKeyField(
        "surveys.Page", related_name="questions", on_delete=fields.CASCADE
    )
    page_id: int
    position = fields.IntField(default=0)
    code = fields.CharField(max_length=40)
    kind = fields.CharField(max_length=20)
    label = fields.CharField(max_length=500)
    help = fields.TextField(default="")
    required = fields.BooleanField(default=False)
    min_value = fields.IntField(null=True)
    max_value = fields.IntField(null=True)
    max_length = fields.IntField(null=True)
    condition_code = fields.CharField(max_length=40, default="")
    condition_op = fields.CharField(max_length=10, default="")
    condition_value = fields.CharField(max_length=200, default="")

    options: fields.ReverseRelation[Option]

    class Meta:
        table = "surveys_question"
        unique_together = (("survey", "code"),)


class Option(Model):
    """A choice of a question, or a row of a matrix (is_row). An "other" option asks for a text beside it."""

    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "surveys.Question", related_name="options", on_delete=fields.CASCADE
    )
    question_id: int
    position = fields.IntField(default=0)
    code = fields.CharField(max_length=40)
    label = fields.CharField(max_length=300)
    is_row = fields.BooleanField(default=False)
    is_other = fields.BooleanField(default=False)

    class Meta:
        table = "surveys_option"


class Token(Model):
    """A personal link: one response each. It keeps who was asked and a draft for resuming, never the response."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "surveys.Survey", related_name="tokens", on_delete=fields.CASCADE
    )
    survey_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254, default="")
    locale = fields.CharField(max_length=5, default="de")
    # The events session a follow-up survey asks about; kept on the response as its wave.
    session_id = fields.IntField(null=True, db_index=True)
    draft: fields.JSONField[dict] = fields.JSONField(default=dict)
    draft_page = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    reminded_at = fields.DatetimeField(null=True)
    used_on = fields.DateField(null=True)

    class Meta:
        table = "surveys_token"


class Response(Model):
    """A completed response. token_id and respondent stay empty in the anonymous mode, and submitted_on is a day."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "surveys.Survey", related_name="responses", on_delete=fields.CASCADE
    )
    survey_id: int
    survey_version = fields.IntField(default=1)
    session_id = fields.IntField(null=True, db_index=True)
    token_id = fields.IntField(null=True)
    respondent = fields.CharField(max_length=254, default="")
    submitted_on = fields.DateField()

    answers: fields.ReverseRelation[Answer]

    class Meta:
        table = "surveys_response"


class Answer(Model):
    """One value of a response: a chosen option (option), a matrix row's value (row, number), a rank, a number,
    a text or a date (text, ISO). A hidden or skipped question is a row with nothing in it."""

    id = fields.IntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "surveys.Response", related_name="answers", on_delete=fields.CASCADE
    )
    response_id: int
    question_id = fields.IntField()
    row = fields.CharField(max_length=40, default="")
    option = fields.CharField(max_length=40, default="")
    number = fields.FloatField(null=True)
    text = fields.TextField(default="")
    # Staff tags on a free-text answer, comma-separated.
    staff_tags = fields.CharField(max_length=200, default="")

    class Meta:
        table = "surveys_answer"
        indexes = (("question_id", "option"), ("question_id", "response_id"))
