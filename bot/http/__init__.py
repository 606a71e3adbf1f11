"""The one HTTP server: an app factory that assembles a router per resource, their dependencies and guards."""

from bot.http.app import create_app

__all__ = ["create_app"]
