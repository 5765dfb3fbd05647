"""Copy as PyTorch: a run as a runnable torch script, in a text area with a copy button."""
