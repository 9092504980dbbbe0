from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("events", "0003_followup_survey")]

    initial = False

    operations = [
        ops.AddField(model_name="Session", name="topic", field=fields.CharField(default="", max_length=200)),
        ops.AddField(model_name="Session", name="directions", field=fields.TextField(default="")),
        ops.AddField(model_name="Session", name="mode", field=fields.CharField(default="in_person", max_length=12)),
        ops.AddField(model_name="Session", name="online_capacity", field=fields.IntField(default=0)),
        ops.AddField(model_name="Session", name="online_seats_taken", field=fields.IntField(default=0)),
        ops.AddField(model_name="Registration", name="ics_own_sequence", field=fields.IntField(default=0)),
        ops.AddField(
            model_name="Registration", name="attendance", field=fields.CharField(default="in_person", max_length=12)
        ),
    ]
