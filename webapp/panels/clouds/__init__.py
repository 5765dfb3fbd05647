"""The seed-cloud card: noisy runs drawn as N seeds, a band and a median path."""
