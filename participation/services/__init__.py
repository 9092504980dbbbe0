"""Every write about consultations and every business rule, one module per concern:
consultations (the draft and its sections), contributions (the public side), moderation, weighing."""
