"""Series, sessions and workshops, agenda, registration, waitlist, invitations, check-in, calendar."""
