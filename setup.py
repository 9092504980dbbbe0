"""Package list for setuptools (everything else is in pyproject.toml).

The Jinja2 templates live in the top-level templates/ folder and install as the data-only package
agora_templates, so a wheel serves every page; agora.web finds them in a checkout or installed.
"""

from setuptools import find_packages, setup

DOMAINS = ["agora*", "participation*", "events*", "surveys*", "notifications*"]

setup(
    packages=[*find_packages(include=DOMAINS), "agora_templates"],
    package_dir={"agora_templates": "templates"},
)
