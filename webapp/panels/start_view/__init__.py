"""start_view panel."""
