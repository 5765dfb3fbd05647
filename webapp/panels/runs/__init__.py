"""runs panel."""
