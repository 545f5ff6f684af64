"""`python -m chatops` is the same as the `chatops` command."""

from chatops.cli.main import main

main()
