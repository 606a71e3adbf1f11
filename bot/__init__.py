"""Process edge of Sayso: platform adapters, HTTP server, scheduler, wiring and the CLI."""
