"""The weekly digest: figures with their uncertainty, key drivers, the staff poll, the report,
its chart, and sending it once per week and destination."""
