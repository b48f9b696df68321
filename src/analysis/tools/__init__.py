"""Tools for ad hoc questions: lookup, SQL query and the Excel export."""
