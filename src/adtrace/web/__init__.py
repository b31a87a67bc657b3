"""The investigator web application: FastAPI + Jinja2 + htmx, served by `adtrace serve`.

`adtrace.web.app.create_app` builds the app; `render/` holds the pure renderers (SVG timeline and
map, network graph JSON, highlighted HTML) the pages use.
"""
