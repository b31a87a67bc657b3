"""The app's routers, one module per resource; each page has a JSON twin under /api/."""
