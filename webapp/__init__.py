"""The Dash web layer: layout, controls generated from schemas, pure figures, thin callbacks."""
