"""`python -m proteus.cli`: the same command line as the `proteus` entry point."""

from proteus.cli import main

main()
