from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("events", "0002_contacts_invitations")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Series",
            name="followup_survey_id",
            field=fields.IntField(null=True),
        ),
        ops.RemoveField(model_name="Series", name="followup_survey_url"),
        ops.AddField(
            model_name="Session",
            name="followup_survey_id",
            field=fields.IntField(null=True),
        ),
    ]
