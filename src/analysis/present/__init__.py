"""Presentation: the edition's frames and blocks as figures, tables and prose for the page and
the PDF, with no metric calls.

theme (colours, fonts, the plotly template), charts and maps (figure builders), tables and
blocks (the layout a chapter calls: ``show_blocks``), output (how a figure reaches HTML or the
PDF) and static (the one place kaleido and Chromium are called).
"""
