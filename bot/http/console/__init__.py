"""The staff console at /console/: server-rendered pages (Jinja2, no JavaScript needed), one router per area."""
