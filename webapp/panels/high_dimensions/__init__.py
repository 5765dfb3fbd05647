"""The high-dimensions card: random critical points are saddles; the Hessian does not fit."""
