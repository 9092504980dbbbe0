from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agora", "0004_api_tokens")]

    initial = False

    operations = [
        ops.CreateModel(
            name="RateHit",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("bucket", fields.CharField(max_length=60)),
                ("key", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "agora_ratehit",
                "app": "agora",
                "indexes": [Index(fields=["bucket", "key", "created_at"])],
                "pk_attr": "id",
                "table_description": "One counted attempt of a rate-limited action, kept only while some limit still counts it.",
            },
            bases=["Model"],
        ),
        ops.DeleteModel(name="ApiRateHit"),
        ops.DeleteModel(name="LoginAttempt"),
        ops.DeleteModel(name="SigninThrottle"),
    ]
