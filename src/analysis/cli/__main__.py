"""`python -m analysis.cli`: the same app as the `ehelse` console script."""

from analysis.cli import app

app()
