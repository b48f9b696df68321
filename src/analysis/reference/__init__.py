"""Reference data: municipality registers, the crosswalk between divisions, population and
geometry, and the one resolver every input goes through."""

from analysis.reference.crosswalk import Translation, crosswalk, express, translate
from analysis.reference.population import population
from analysis.reference.register import (
    DivisionError,
    county_names,
    division_for,
    division_years,
    load_register,
)
from analysis.reference.resolution import Resolution
from analysis.reference.resolve import Resolver, resolver

__all__ = [
    "DivisionError",
    "Resolution",
    "Resolver",
    "Translation",
    "county_names",
    "crosswalk",
    "division_for",
    "division_years",
    "express",
    "load_register",
    "population",
    "resolver",
    "translate",
]
