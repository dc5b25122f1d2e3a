"""Package layout: the `addon` package, and the checkout's templates/ and migrations/ inside it.

templates/ and migrations/ stay at the top of the repository, where Flask-Migrate and people look
for them; a wheel carries them as addon/templates and addon/migrations (addon/__init__.py finds
either), so an installed app runs from any directory. Everything else is in pyproject.toml.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["addon", "addon.*"]) + ["addon.templates", "addon.migrations"],
    package_dir={"addon.templates": "templates", "addon.migrations": "migrations"},
)
