"""The company's portal page (a personal link, no account; not in the sidebar)."""

from crm.ui.portal_form import render

render()
