"""What one edition of the report shows: its parameters (year, division, status date, region,
data) and every frame, number and sentence its chapters lay out."""

from analysis.edition.params import Edition, EditionError, edition

__all__ = ["Edition", "EditionError", "edition"]
