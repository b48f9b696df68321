"""Presentation: theme, charts, maps and the layout of the edition's blocks (no metric calls)."""
