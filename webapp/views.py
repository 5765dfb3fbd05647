"""Figure builders for seeing inside the optimizer (issue 4): pure, arrays in, plain dicts out.

* Inner state of one run: :func:`inner_state_series` -> :func:`inner_state_figure`
  (rows over steps, step cursor at ``layout.shapes[0]``), :func:`state_arrows` ->
  :func:`arrow_traces` (gradient, velocity and step arrows at the current point).
* Map overlays: :func:`gradient_field_trace`, :func:`polyak_traces`.
* Other views: :func:`surface_3d_figure`, :func:`small_multiples_figure`.
* Loss plot and controls: :func:`loss_axis` (steps or gradient evaluations),
  :func:`rule_markdown` (the update rule for ``dcc.Markdown(mathjax=True)``).

Everything meant for the browser holds only finite numbers: plain rounded lists
(``None`` only to break segments) and, for static grids, float32 typed arrays.
Trace orders are documented in :mod:`webapp.views_maps`; the indexing of the
per-step series in :mod:`webapp.views_state`.
"""
from webapp.views_common import RunView, as_run_views, log_colour
from webapp.views_maps import (SURFACE_SCALE, gradient_field_trace, small_multiples_figure,
                               small_multiples_run_traces, surface_3d_figure, surface_colour)
from webapp.views_state import (ARROW_STYLE, CURSOR_SHAPE, arrow_scale, arrow_traces, inner_state_figure,
                                inner_state_series, loss_axis, polyak_traces, rule_markdown, state_arrows,
                                velocity_key)

__all__ = ["ARROW_STYLE", "CURSOR_SHAPE", "RunView", "SURFACE_SCALE", "arrow_scale", "arrow_traces",
           "as_run_views", "gradient_field_trace", "inner_state_figure", "inner_state_series", "log_colour",
           "loss_axis", "polyak_traces", "rule_markdown", "small_multiples_figure", "small_multiples_run_traces",
           "state_arrows", "surface_3d_figure", "surface_colour", "velocity_key"]
