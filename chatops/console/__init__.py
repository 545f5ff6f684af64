"""The terminal surface: the conversation engine in a shell, for trying runbooks and demos."""

from chatops.console.shell import Shell

__all__ = ["Shell"]
