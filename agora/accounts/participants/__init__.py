"""Participants: citizens and business people who prove their email address with a sign-in link."""
