"""Slack through Bolt for Python (AsyncApp) and slack-sdk: the only package that imports them."""
