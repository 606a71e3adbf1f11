"""The web channel: surveys answered on a page at /s/{token}, for customers outside chat."""
