"""Startup Support CRM: domain logic for a public startup-support programme office."""

__version__ = "0.1.0"
