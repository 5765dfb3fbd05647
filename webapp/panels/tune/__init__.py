"""The Tune card: a fair fight, every run tuned the same way under an objective the page states."""
