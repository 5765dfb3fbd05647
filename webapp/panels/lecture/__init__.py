"""lecture panel."""
