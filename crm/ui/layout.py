"""Layout at every window width: a slimmer sidebar and wrapping column rows on mid-size windows,
metrics that shrink instead of being cut ("100 …"), headings that break between Korean words
(not inside "(가상)"), and the home page's budget row stacked until the window is wide enough
for the programme table's every column.

Streamlit stacks columns only below 640 px and keeps a 300 px sidebar above it; between the two
a row of four columns leaves ~110 px each. One style sheet, sent with st.html (a style-only
html element takes no room on the page), fixes that for every page."""

from __future__ import annotations

import streamlit as st

# Row containers (st.container(key=...)) whose columns stack below WIDE_PX.
STACKED_ROWS = ("home_budget_row",)
MID_PX = 1100  # below this: slim sidebar, column rows wrap two by two
WIDE_PX = 1700  # below this: the STACKED_ROWS put their columns under each other


def style_sheet() -> str:
    stacked = ", ".join(f".st-key-{key} [data-testid='stHorizontalBlock']" for key in STACKED_ROWS)
    stacked_cols = ", ".join(
        f".st-key-{key} [data-testid='stHorizontalBlock'] > [data-testid='stColumn']"
        for key in STACKED_ROWS
    )
    return f"""
[data-testid='stMetricValue'] {{ font-size: clamp(1.5rem, 3.2vw, 2.25rem); }}
[data-testid='stMetricLabel'] p {{ white-space: normal; }}
h1, h2, h3 {{ word-break: keep-all; overflow-wrap: anywhere; }}
@media (max-width: {WIDE_PX}px) {{
  {stacked} {{ flex-wrap: wrap; }}
  {stacked_cols} {{ min-width: 100%; }}
}}
@media (max-width: {MID_PX}px) {{
  section[data-testid='stSidebar'] {{ width: 14rem !important; min-width: 14rem !important; }}
  [data-testid='stMainBlockContainer'] {{ padding-left: 1.5rem; padding-right: 1.5rem; }}
}}
@media (max-width: {MID_PX}px) and (min-width: 640px) {{
  [data-testid='stHorizontalBlock'] {{ flex-wrap: wrap; }}
  [data-testid='stHorizontalBlock'] > [data-testid='stColumn'] {{
    min-width: calc(50% - 1rem);
  }}
}}
"""


def apply() -> None:
    """Send the style sheet (once per run; every signed-in page calls it through the sidebar)."""
    st.html(f"<style>{style_sheet()}</style>")
