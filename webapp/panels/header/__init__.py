"""header panel."""
