from tortoise import migrations

from agora.pagecache import track_tables


class Migration(migrations.Migration):
    """The consultation's public pages (the draft with its contributions, the result, the consideration table) are
    cached: every change to what they show invalidates them."""

    dependencies = [("participation", "0004_attachments")]

    initial = False

    operations = [
        track_tables(
            "participation_section",
            "participation_group",
            "participation_contribution",
            "participation_support",
            "participation_response",
        )
    ]
