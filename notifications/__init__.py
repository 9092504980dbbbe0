"""The outbox, mail composition, SMTP delivery, dramatiq actors and the scheduler."""
