"""`python -m adtrace` runs the command line."""

from adtrace.cli.main import main

main()
