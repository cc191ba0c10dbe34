"""Kinds of support defined in the app: their typed field declarations."""
