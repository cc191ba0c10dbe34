"""Use cases. Every write takes (session, actor, input), checks permission, validates, audits and
commits one transaction; reads return plain objects or DataFrames."""
