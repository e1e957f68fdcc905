"""`python -m orvalidate` is the `orvalidate` command."""

from .entry import run

run()
