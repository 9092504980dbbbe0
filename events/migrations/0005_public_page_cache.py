from tortoise import migrations

from agora.pagecache import track_tables


class Migration(migrations.Migration):
    dependencies = [("events", "0004_session_modes"), ("agora", "0006_content_version")]

    initial = False

    operations = [
        track_tables(
            "events_series", "events_session", "events_track", "events_agendaitem", "events_speaker", "events_question"
        ),
    ]
