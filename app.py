"""optiscape: composition root. ``python app.py`` serves http://127.0.0.1:8050 (PORT overrides)."""
from __future__ import annotations

import os

from dash import Dash, html

app = Dash(__name__, title="optiscape")
app.layout = html.Div([html.H1("optiscape"), html.P("Optimizers on 2-D loss surfaces. The app is coming.")])
server = app.server


def main() -> None:
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)


if __name__ == "__main__":
    main()
