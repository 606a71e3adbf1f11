"""Understanding free text offline: language, sentiment and themes."""
