"""The `/api/v1` routes: interactions reported by helpdesks and CRMs, their connectors, and the week's figures."""
