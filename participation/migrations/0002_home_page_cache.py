from tortoise import migrations

from agora.pagecache import track_tables


class Migration(migrations.Migration):
    """The home page lists open consultations and is cached: changes to them invalidate it."""

    dependencies = [("participation", "0001_initial"), ("agora", "0006_content_version")]

    initial = False

    operations = [track_tables("participation_consultation")]
