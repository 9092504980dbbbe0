from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("events", "0005_public_page_cache")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Session", name="cost", field=fields.DecimalField(max_digits=7, decimal_places=2, null=True)
        ),
        ops.AddField(model_name="Session", name="cost_note", field=fields.CharField(default="", max_length=200)),
        ops.AddField(
            model_name="Series", name="cost", field=fields.DecimalField(max_digits=7, decimal_places=2, null=True)
        ),
        ops.AddField(model_name="Series", name="cost_note", field=fields.CharField(default="", max_length=200)),
    ]
