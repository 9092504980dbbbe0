"""Consultations: documents in sections, comments, replies, moderation and official responses."""
