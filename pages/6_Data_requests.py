"""Data requests (officers, managers, admins): companies report their own outcomes."""

from crm.ui.auth import guard
from crm.ui.requests_view import render

render(guard("pages/6_Data_requests.py"))
