"""Serve the CRM with its own routes (the sign-in cookie): `streamlit run serve.py`. The pages are
Home.py and pages/ as ever; this file is only the launcher, so the web server never imports Home.py
as a module (it would run the page's code at import)."""

from streamlit.starlette import App

from crm import web

app = App("Home.py", routes=web.routes())
