"""The seeded generator of the synthetic municipality-level example data.

Municipality lists are not public for most solutions, so the embedded default combines the real
published facts with synthetic municipality data that users replace with their own exports.
The generator is calibrated to the published national figures: on 2023-04-30 the number of
municipalities per solution equals the KS portfolio table exactly, by construction (each
solution's adoption dates are drawn from an S-shaped national curve that passes through every
precise published point; see ``ANCHORS``).

Everything is a pure function of the seed: numpy's ``Generator(PCG64(seed))``, no wall clock
(the extract date is the fixed ``GENERATED_ON``), no set or hash order. The files are written in
the shapes real exports have (Norwegian headers, CSV and XLSX, names as well as codes, one file
in Windows-1252), so the example goes through the same readers a real export does. Only
``write_example`` touches the disk.

Stages: ``params`` (dates, anchors, rates), ``adoption`` and ``extension`` (the adoption
draws), ``messages`` (the message statistics), ``generate`` (divisions and the one draw),
``files`` (rendering), ``readme`` (the README and the catalogue block), ``write`` (the disk).
"""

from analysis.example_data.adoption import (
    adoption_days,
    business_days,
    cumulative_curve,
    day_date,
    generate_adoption,
)
from analysis.example_data.extension import extend_adoption, extension_days
from analysis.example_data.files import STATUS_LABELS, example_files
from analysis.example_data.generate import (
    current_status,
    generate,
    municipalities,
    municipalities_2024,
    to_division_2024,
)
from analysis.example_data.messages import generate_messages, month_date
from analysis.example_data.params import (
    ANCHORS,
    CATALOGUE_BEGIN,
    CATALOGUE_END,
    CATALOGUE_NOTE,
    COUNTED_STEP,
    DEFAULT_SEED,
    DIFFUSION,
    DIVISION_YEAR,
    EXAMPLE_SUBDIR,
    EXTENSION_DIVISION_YEAR,
    EXTENSION_GENERATED_ON,
    EXTENSION_LAST_DAY,
    EXTENSION_SUFFIX,
    FIRST_DAY,
    FIRST_MONTH,
    GENERATED_ON,
    LAST_DAY,
    MESSAGE_NUMBERING_FROM,
    MESSAGE_TYPES,
    MESSAGE_VERSIONS,
    N_MONTHS,
    POPULATION_YEAR,
    STATUS_DATE,
    Diffusion,
    Example,
    ExampleFile,
)
from analysis.example_data.readme import (
    catalogue_block,
    example_entries,
    national_counts,
    render_readme,
    updated_catalogue,
)
from analysis.example_data.write import write_example

__all__ = [
    "ANCHORS",
    "CATALOGUE_BEGIN",
    "CATALOGUE_END",
    "CATALOGUE_NOTE",
    "COUNTED_STEP",
    "DEFAULT_SEED",
    "DIFFUSION",
    "DIVISION_YEAR",
    "EXAMPLE_SUBDIR",
    "EXTENSION_DIVISION_YEAR",
    "EXTENSION_GENERATED_ON",
    "EXTENSION_LAST_DAY",
    "EXTENSION_SUFFIX",
    "FIRST_DAY",
    "FIRST_MONTH",
    "GENERATED_ON",
    "LAST_DAY",
    "MESSAGE_NUMBERING_FROM",
    "MESSAGE_TYPES",
    "MESSAGE_VERSIONS",
    "N_MONTHS",
    "POPULATION_YEAR",
    "STATUS_DATE",
    "STATUS_LABELS",
    "Diffusion",
    "Example",
    "ExampleFile",
    "adoption_days",
    "business_days",
    "catalogue_block",
    "cumulative_curve",
    "current_status",
    "day_date",
    "example_entries",
    "example_files",
    "extend_adoption",
    "extension_days",
    "generate",
    "generate_adoption",
    "generate_messages",
    "month_date",
    "municipalities",
    "municipalities_2024",
    "national_counts",
    "render_readme",
    "to_division_2024",
    "updated_catalogue",
    "write_example",
]
