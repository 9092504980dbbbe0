"""Content pages every visitor must reach: Impressum, privacy, accessibility statement, Leichte Sprache."""
