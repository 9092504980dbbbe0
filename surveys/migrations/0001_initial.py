import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Survey",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("title", fields.CharField(max_length=200)),
                ("intro", fields.TextField(default="", unique=False)),
                ("thanks", fields.TextField(default="", unique=False)),
                ("opens_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("closes_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("published", fields.BooleanField(default=False)),
                ("anonymity", fields.CharField(default="anonymous", max_length=20)),
                ("access", fields.CharField(default="link", max_length=10)),
                ("reminder_days", fields.IntField(default=7)),
                ("version", fields.IntField(default=1)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "surveys_survey",
                "app": "surveys",
                "pk_attr": "id",
                "table_description": "A questionnaire with its opening time, who may answer and how anonymous the answers are.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Page",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "survey",
                    fields.ForeignKeyField(
                        "surveys.Survey",
                        source_field="survey_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="pages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField(default=0)),
                ("title", fields.CharField(default="", max_length=200)),
                ("condition_code", fields.CharField(default="", max_length=40)),
                ("condition_op", fields.CharField(default="", max_length=10)),
                ("condition_value", fields.CharField(default="", max_length=200)),
            ],
            options={
                "table": "surveys_page",
                "app": "surveys",
                "pk_attr": "id",
                "table_description": "A page of questions, shown when its condition on an earlier answer holds (or always).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Question",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "survey",
                    fields.ForeignKeyField(
                        "surveys.Survey",
                        source_field="survey_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="questions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "page",
                    fields.ForeignKeyField(
                        "surveys.Page",
                        source_field="page_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="questions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField(default=0)),
                ("code", fields.CharField(max_length=40)),
                ("kind", fields.CharField(max_length=20)),
                ("label", fields.CharField(max_length=500)),
                ("help", fields.TextField(default="", unique=False)),
                ("required", fields.BooleanField(default=False)),
                ("min_value", fields.IntField(null=True)),
                ("max_value", fields.IntField(null=True)),
                ("max_length", fields.IntField(null=True)),
                ("condition_code", fields.CharField(default="", max_length=40)),
                ("condition_op", fields.CharField(default="", max_length=10)),
                ("condition_value", fields.CharField(default="", max_length=200)),
            ],
            options={
                "table": "surveys_question",
                "app": "surveys",
                "unique_together": (("survey", "code"),),
                "pk_attr": "id",
                "table_description": "A question with a code that stays the same across copies of the survey, for comparing waves.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Option",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "question",
                    fields.ForeignKeyField(
                        "surveys.Question",
                        source_field="question_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="options",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField(default=0)),
                ("code", fields.CharField(max_length=40)),
                ("label", fields.CharField(max_length=300)),
                ("is_row", fields.BooleanField(default=False)),
                ("is_other", fields.BooleanField(default=False)),
            ],
            options={
                "table": "surveys_option",
                "app": "surveys",
                "pk_attr": "id",
                "table_description": 'A choice of a question, or a row of a matrix (is_row). An "other" option asks for a text beside it.',
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Response",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "survey",
                    fields.ForeignKeyField(
                        "surveys.Survey",
                        source_field="survey_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="responses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("survey_version", fields.IntField(default=1)),
                ("session_id", fields.IntField(null=True, db_index=True)),
                ("token_id", fields.IntField(null=True)),
                ("respondent", fields.CharField(default="", max_length=254)),
                ("submitted_on", fields.DateField()),
            ],
            options={
                "table": "surveys_response",
                "app": "surveys",
                "pk_attr": "id",
                "table_description": "A completed response. token_id and respondent stay empty in the anonymous mode, and submitted_on is a day.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Answer",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "response",
                    fields.ForeignKeyField(
                        "surveys.Response",
                        source_field="response_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="answers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("question_id", fields.IntField()),
                ("row", fields.CharField(default="", max_length=40)),
                ("option", fields.CharField(default="", max_length=40)),
                ("number", fields.FloatField(null=True)),
                ("text", fields.TextField(default="", unique=False)),
                ("staff_tags", fields.CharField(default="", max_length=200)),
            ],
            options={
                "table": "surveys_answer",
                "app": "surveys",
                "indexes": [Index(fields=["question_id", "option"]), Index(fields=["question_id", "response_id"])],
                "pk_attr": "id",
                "table_description": "One value of a response: a chosen option (option), a matrix row's value (row, number), a rank, a number,",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Token",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "survey",
                    fields.ForeignKeyField(
                        "surveys.Survey",
                        source_field="survey_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("email", fields.CharField(default="", max_length=254)),
                ("locale", fields.CharField(default="de", max_length=5)),
                ("session_id", fields.IntField(null=True, db_index=True)),
                (
                    "draft",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("draft_page", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("reminded_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("used_on", fields.DateField(null=True)),
            ],
            options={
                "table": "surveys_token",
                "app": "surveys",
                "pk_attr": "id",
                "table_description": "A personal link: one response each. It keeps who was asked and a draft for resuming, never the response.",
            },
            bases=["Model"],
        ),
    ]
