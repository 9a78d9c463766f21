"""Inline SVG charts for the report and the dashboard, written by hand so a page needs no script
and no network: one module per chart, over the shared elements of `svg` and `axes`.

Each chart function returns one `<svg>` element as `Markup`: every label is escaped, so a
template can insert the chart as is. The SVGs are well-formed XML, carry `role="img"` and a
`<title>`, and use a viewBox so they scale with the page. Each bar has its own `<title>`, which
browsers show as a tooltip, and a class (`bar`, `set-bar`) that tests and stylesheets can find.
"""
