"""Why the process cannot start, or cannot reach a platform yet, phrased for the operator."""

from __future__ import annotations


class StartupError(Exception):
    """The process cannot start; the message is one line for the operator, naming what to fix."""


class PlatformUnreachable(Exception):
    """A chat platform did not answer at start; the process runs on and keeps trying."""
