"""Fill a funder's own Excel form from the quarterly figures."""
