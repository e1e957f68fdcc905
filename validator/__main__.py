"""`python -m orvalidate` is the `orvalidate` command."""

from .cli import run

run()
