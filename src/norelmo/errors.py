"""The one exception type users see: bad input, named by file, line or key."""

import os


class NorelmoError(Exception):
    """A problem with the user's input or configuration; the message names what to fix."""


def debugging() -> bool:
    """NORELMO_DEBUG=1: show the traceback of a NorelmoError too, not only its message."""
    return os.environ.get("NORELMO_DEBUG", "") not in ("", "0")


def error_line(message: object) -> str:
    """How a stop on bad input reads, from a `norelmo` command, a workflow job and the workflow itself alike."""
    return f"norelmo: error: {message}"
