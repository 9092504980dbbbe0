"""Agora: participation and business dialogue for a municipality."""

__version__ = "0.1.0"
