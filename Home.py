"""Entry point. `streamlit run Home.py` serves the app through `st.App` with the CRM's own routes
(the sign-in cookie, crm/web.py); every script run draws the home page (sign-in, then dashboard).
The web server imports this file only for `app`: the page is drawn only in a script run, which
Streamlit names `__main__`."""

from streamlit.starlette import App

from crm import web

app = App("Home.py", routes=web.routes())

if __name__ == "__main__":
    from crm.ui.home import render

    render()
