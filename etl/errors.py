"""The one exception a load raises for a file it cannot read at all."""


class LoadError(Exception):
    """A file cannot be loaded. ``str(err)`` is one line a person can act on."""
