from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("participation", "0002_home_page_cache")]

    initial = False

    operations = [ops.AddField(model_name="Consultation", name="survey_id", field=fields.IntField(null=True))]
