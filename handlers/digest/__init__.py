"""The weekly digest: figures and their uncertainty, key drivers, the staff poll, the report, its chart, and sending it once."""
