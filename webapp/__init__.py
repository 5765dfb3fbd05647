"""The Dash web layer, one spine: URL -> typed state -> compute -> figures -> page payload -> browser.

* :mod:`webapp.state`: the page state (typed model, one coercion module, URL and store codecs).
* :mod:`webapp.compute`: batching the runs, the cost model, one cache of trajectories.
* :mod:`webapp.figures`: pure figure builders and the one encoder for the browser.
* :mod:`webapp.panels`: one package per panel of the page (layout and callbacks together);
  :mod:`webapp.panels.page` lists them.
* :mod:`webapp.scenarios`: the lecture scenarios as data; :mod:`webapp.export`: CSV and standalone HTML;
  :mod:`webapp.server`: hardening of the Flask server.

Importing the package makes the scenarios known to the state's link parser (the state never
imports the scenarios; see :mod:`webapp.state.scenario_links`).
"""
from webapp import scenarios as _scenarios
from webapp.state import scenario_links as _scenario_links

_scenario_links.register(_scenarios.ids, lambda scenario_id: _scenarios.share_query(_scenarios.get(scenario_id)))
