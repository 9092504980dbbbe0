"""The town's public face as admins set it in the app: name, website, the agency's contact, the logo or coat of
arms, and the German Sign Language video with its captions. What an admin leaves empty falls back to the
settings (AGORA_TOWN_*, AGORA_DGS_*), so the environment holds the defaults."""
