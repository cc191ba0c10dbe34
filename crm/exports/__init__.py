"""Excel downloads of on-screen tables (lists, chart data), built on the report writer."""
