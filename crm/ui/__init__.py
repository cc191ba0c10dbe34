"""The only part of crm/ that imports Streamlit: session state, sign-in guard, navigation,
cached reads and display formatting shared by Home.py and pages/."""
