"""surface panel."""
