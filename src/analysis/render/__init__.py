"""Rendering: the chapters to HTML and PDF, with Quarto when present, else the Python chain."""
