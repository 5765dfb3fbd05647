"""The local-model card: the linear and quadratic models at a run's current point."""
