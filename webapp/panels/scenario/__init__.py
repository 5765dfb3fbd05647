"""scenario panel."""
