"""Series, sessions and workshops, agenda, registration, waitlist, invitations, check-in, calendar.

Decisions the pages, the JSON API and the mails build on:

- Seats: Session.seats_taken and Track.seats_taken change only through events.services.capacity, one
  conditional UPDATE per claim or release. A registration holds `seats` (1 + colleagues) while its status is
  in models.SEATED: pending_confirmation (a hold until hold_expires_at, released by
  services.expire_holds), pending_approval (held, so approving never overbooks), confirmed, attended.
- Every status change is a compare-and-set on the old status; the seat change, any promotion from the
  waitlist and the outbox rows commit in the same transaction.
- Waitlist order is waitlisted_at, then id. Promotion skips parties that do not fit. A promoted person whose
  address is confirmed becomes confirmed (or pending_approval); otherwise they get a fresh hold.
  Staff moving someone to the waitlist puts them at its end and does not auto-promote.
- Manage links: the token is derived from the registration's ics_uid with the secret key
  (services.common.manage_token), only its hash is stored, so every later mail can carry the link.
  The link also opens the person's private calendar feed (services.feeds.personal_feed).
- Calendar: calendar.py builds events with `ics` and assembles the file with `icalendar` (TZID of the configured
  zone, SEQUENCE, a VTIMEZONE from the zone database, METHOD first, folded lines; see its docstring). UID: the
  registration's ics_uid for invitations, session-<id>@... in public feeds.
- Recurrence: an RRULE with DTSTART in the wall time of the configured zone; generated sessions remember
  occurrence_at, skipped dates are kept on the series, so generating again is idempotent.
"""
