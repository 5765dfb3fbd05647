"""maps panel."""
