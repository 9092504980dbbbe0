from tortoise import migrations

from agora.pagecache import track_tables


class Migration(migrations.Migration):
    """The home page lists open surveys and is cached: changes to them invalidate it."""

    dependencies = [("surveys", "0001_initial"), ("agora", "0006_content_version")]

    initial = False

    operations = [track_tables("surveys_survey")]
