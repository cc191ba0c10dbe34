"""The quarterly Excel report (no Streamlit here).

- options:   ReportOptions, Unit, Period, validate_options
- figures:   every Summary number by SQL (ReportFigures, compute_figures), JSON for quarter closes
- summary:   the Summary's tables as data (summary_tables, table_frame) and the sheet with charts
- rows / details / about: the streamed detail sheets and the About sheet
- writer / cells: typed XlsxWriter tables, formats, safe text, widths, print set-up
- workbook:  write_report (the whole workbook to a path or file object)
- exports:   build_report / save_report (exports dir, temp name + rename, audit), list_exports
- view:      summary_view (the Summary's figures and tables as DataFrames, for the page)
"""
