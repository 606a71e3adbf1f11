"""Exploring the responses from a desk: filtered figures under the small-group rules."""
