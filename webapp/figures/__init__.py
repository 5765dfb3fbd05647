"""Pure figure builders: arrays in, plain Plotly figure dicts out (tested without a browser).

* :mod:`webapp.figures.encode`: the one encoder (finite, rounded, typed, escaped numbers and text).
* :mod:`webapp.figures.style`: fonts and colour scales shared by the figures.
* :mod:`webapp.figures.run_view`: the runs a figure draws (name, colour, path).
* One module per figure: :mod:`~webapp.figures.stage` (the map, loss plot and the player's runs
  payload), :mod:`~webapp.figures.results` (the results table's rows), :mod:`~webapp.figures.inner_state` (inner-state panel, arrows, Polyak,
  update rule), :mod:`~webapp.figures.lecture_maps` (gradient field, 3D, side-by-side panels),
  :mod:`~webapp.figures.maps` (basins of attraction and sensitivity).
"""
