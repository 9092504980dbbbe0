"""Surveys and questions, responses, analysis, charts and exports."""
