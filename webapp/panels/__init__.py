"""The page's panels, one package each (layout and callbacks together); :mod:`webapp.panels.page` lists them.

* ``header``: brand, scenario picker, share link, downloads, projector toggle.
* ``scenario``: the caption of a lecture scenario (predict, variants, the takeaway revealed at the end).
* ``surface``: the surface menu, its formula, its parameters.
* ``start_view``: start point, steps, the view box (typed or zoomed).
* ``runs``: the run cards (controls generated from each optimizer's schema) and their edits.
* ``stage``: the map with the player bar, the loss plot, the results; the one render callback.
* ``lecture``: the View bar (arrows, field, Polyak, side by side, inner state, 3D).
* ``maps``: basins of attraction and hyperparameter sensitivity.

Shared by all: :mod:`~webapp.panels.wiring` (the store, the guard, applying an edit with its
notices), :mod:`~webapp.panels.follow` (controls follow the state), :mod:`~webapp.panels.cards`,
:mod:`~webapp.panels.steppers` (how number boxes step).
"""
