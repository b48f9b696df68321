"""`python -m analysis.cli`: the same as the `ehelse` console script."""

from analysis.cli import main

main()
