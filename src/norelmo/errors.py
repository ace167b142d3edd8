"""The one exception type users see: bad input, named by file, line or key."""


class NorelmoError(Exception):
    """A problem with the user's input or configuration; the message names what to fix."""
