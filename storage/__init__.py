"""Persistence for Sayso: SQLModel tables, queries and Alembic migrations; knows nothing of chat platforms."""
