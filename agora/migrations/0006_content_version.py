from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def _first_version(apps, schema_editor) -> None:  # noqa: ANN001 - Tortoise's RunPython signature
    await schema_editor.client.execute_script("INSERT INTO agora_contentversion (name, version) VALUES ('public', 0)")


class Migration(migrations.Migration):
    dependencies = [("agora", "0005_rate_limits")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ContentVersion",
            fields=[
                ("name", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ("version", fields.BigIntField(default=0)),
            ],
            options={
                "table": "agora_contentversion",
                "app": "agora",
                "pk_attr": "name",
                "table_description": "A counter raised by database triggers whenever something shown on public pages changes.",
            },
            bases=["Model"],
        ),
        ops.RunPython(_first_version),
    ]
