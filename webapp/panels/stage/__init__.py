"""stage panel."""
