"""The command line's own frame in bokmål: "Usage", "Options", the help option, error boxes.

Click and typer mark these words for translation with Python's ``gettext`` (each module does
``from gettext import gettext as _`` and ``ngettext``; typer's help panel titles are module
constants in ``typer.rich_utils`` built the same way). The catalogue below is our translation;
``install`` makes it the one those modules call, whatever the user's locale, so the frame
matches the commands' own Norwegian texts. A message without an entry stays as it is.
"""

from __future__ import annotations

import importlib
import re
from typing import Final

CATALOGUE: Final[dict[str, str]] = {
    "Usage:": "Bruk:",
    "Options": "Valg",
    "Arguments": "Argumenter",
    "Commands": "Kommandoer",
    "Error": "Feil",
    "Error: {message}": "Feil: {message}",
    "Show this message and exit.": "Vis denne hjelpen og avslutt.",
    "Show the version and exit.": "Vis versjonen og avslutt.",
    "Try '{command} {option}' for help.": "Se '{command} {option}' for hjelp.",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "Se [blue]'{command_path} {help_option}'[/] for hjelp."
    ),
    "Aborted!": "Avbrutt!",
    "Aborted.": "Avbrutt.",
    "[default: {}]": "[standard: {}]",
    "default: {default}": "standard: {default}",
    "[env var: {}]": "[miljøvariabel: {}]",
    "env var: {var}": "miljøvariabel: {var}",
    "[required]": "[påkrevd]",
    "required": "påkrevd",
    "(deprecated) ": "(utgått) ",
    "deprecated": "utgått",
    "(dynamic)": "(dynamisk)",
    "Missing argument": "Mangler argument",
    "Missing option": "Mangler valg",
    "Missing parameter": "Mangler parameter",
    "Missing command.": "Mangler kommando.",
    "Missing {param_type}": "Mangler {param_type}",
    "Missing parameter: {param_name}": "Mangler parameter: {param_name}",
    "No such command {name!r}.": "Ingen kommando heter {name!r}.",
    "No such option {name!r}.": "Ingen valg heter {name!r}.",
    "No such option: {name}": "Ingen valg heter {name}",
    "Option {name!r} does not take a value.": "Valget {name!r} tar ingen verdi.",
    "Invalid value for {param_hint}: {message}": "Ugyldig verdi for {param_hint}: {message}",
    "Invalid value: {message}": "Ugyldig verdi: {message}",
    "Invalid start character for option ({option})": "Ugyldig første tegn i valget ({option})",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} verdier.",
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldig {number_type}.",
    "{value} is not in the range {range}.": "{value} er utenfor området {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finnes ikke.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe.",
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke leses.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan ikke skrives.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} kan ikke kjøres.",
    "Could not open file {filename!r}: {message}": "Kan ikke åpne filen {filename!r}: {message}",
    "file": "fil",
    "directory": "mappe",
    "path": "sti",
    "Choose from:\n\t{choices}": "Velg blant:\n\t{choices}",
    "Value must be an iterable.": "Verdien må være en liste.",
    "unknown error": "ukjent feil",
    "Do you want to continue?": "Vil du fortsette?",
    "Confirm the action without prompting.": "Bekreft uten å spørre.",
}
PLURALS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Fikk et argument for mye ({args})",
        "Fikk argumenter for mye ({args})",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Mente du {possibility}?",
        "(Mente du en av: {possibilities}?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Valget {name!r} trenger en verdi.",
        "Valget {name!r} trenger {nargs} verdier.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} er ikke {choice}.",
        "{value!r} er ikke en av {choices}.",
    ),
    (
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ): (
        "{value!r} passer ikke formatet {format}.",
        "{value!r} passer ikke formatene {formats}.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Tar {nargs} verdier, men fikk 1.",
        "Tar {nargs} verdier, men fikk {len}.",
    ),
}

MODULES: Final = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
    "typer.core",
    "typer.rich_utils",
)
# typer.rich_utils constant -> its msgid (computed once at import, so set again here).
RICH_CONSTANTS: Final = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def gettext(message: str) -> str:
    """``gettext.gettext`` with our catalogue."""
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``gettext.ngettext`` with our catalogue (bokmål has two forms, as English)."""
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


# The value types typer shows beside each option (``<int>``), by their bokmål names.
TYPE_NAMES: Final = {
    "int": "heltall",
    "float": "tall",
    "str": "tekst",
    "bool": "ja|nei",
    "path": "sti",
    "file": "fil",
    "directory": "mappe",
    "datetime": "dato",
    "range": "område",
    "list": "liste",
}
_TYPE_WORD: Final = re.compile(r"\b(" + "|".join(TYPE_NAMES) + r")\b")


def type_label(label: str | None) -> str | None:
    """A value-type tag such as ``<int>`` or ``<int range>`` in bokmål; choices stay as they are."""
    if label is None or not (label.startswith("<") and label.endswith(">")):
        return label
    return _TYPE_WORD.sub(lambda m: TYPE_NAMES[m.group(1)], label)


def _bokmal_types(core: object) -> None:
    """typer builds the type tags itself, outside gettext: translate them, and show none for
    an on/off flag (it takes no value to describe)."""
    option, argument = core.TyperOption, core.TyperArgument  # type: ignore[attr-defined]
    if getattr(option, "_ehelse_types", False):
        return
    for cls in (option, argument):
        plain = cls.display_type

        def display_type(self: object, ctx: object, _plain: object = plain) -> str | None:
            return type_label(_plain(self, ctx))  # type: ignore[operator]

        cls.display_type = display_type
    rich = option.display_type_rich

    def display_type_rich(self: object, ctx: object) -> str | None:
        if getattr(self, "is_flag", False) and getattr(self, "metavar", None) is None:
            return None
        return rich(self, ctx)

    option.display_type_rich = display_type_rich
    option._ehelse_types = True


def _join_lines(paragraphs: list[str], markup_mode: object = None) -> str:
    """A docstring's paragraphs as running text: typer keeps the source's single line
    breaks after the first paragraph, which breaks lines mid-sentence at other widths."""
    return "\n\n".join(p if p.startswith("\b") else p.replace("\n", " ") for p in paragraphs)


def install() -> None:
    """Make click's and typer's messages bokmål (idempotent)."""
    for name in MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, msgid in RICH_CONSTANTS.items():
        setattr(rich_utils, constant, gettext(msgid))
    rich_utils._fix_linebreaks = _join_lines  # type: ignore[attr-defined]
    _bokmal_types(importlib.import_module("typer.core"))


# The parser's messages that typer builds itself (its vendored click has no gettext), as
# (pattern, bokmål); applied in order to the one-line message of a usage error.
MESSAGES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(p), m)
    for p, m in (
        (r"Missing option '([^']+)'\.", r"Mangler valget '\1'."),
        (r"Missing argument '([^']+)'\.", r"Mangler argumentet '\1'."),
        (r"Missing parameter: (\S+)", r"Mangler parameteren \1"),
        (r"No such option: (\S+)", r"Ukjent valg: \1"),
        (r"\(Possible options: ([^)]+)\)", r"(mulige valg: \1)"),
        (r"Did you mean ([^?]+)\?", r"Mente du \1?"),
        (
            r"Got unexpected extra argument(?:\(s\)|s)? \(([^)]*)\)",
            r"Fikk argument for mye: \1",
        ),
        (
            r"Input should be a valid integer, unable to parse string as an integer",
            "skriv et heltall",
        ),
        (r"Input should be a valid number, unable to parse string as a number", "skriv et tall"),
        (r"Input should be a valid boolean, unable to interpret input", "skriv ja eller nei"),
        (r"Option '([^']+)' requires an argument\.", r"Valget '\1' trenger en verdi."),
        (r"Option '([^']+)' requires (\d+) arguments\.", r"Valget '\1' trenger \2 verdier."),
        (r"Option '([^']+)' does not take a value\.", r"Valget '\1' tar ingen verdi."),
        (r"Invalid value for ([^:]+): ", r"Ugyldig verdi for \1: "),
        (r"Invalid value: ", "Ugyldig verdi: "),
        (r"'([^']*)' is not a valid integer(?: range)?\.", r"'\1' er ikke et heltall."),
        (r"'([^']*)' is not a valid float(?: range)?\.", r"'\1' er ikke et tall."),
        (r"'([^']*)' is not a valid boolean\.", r"'\1' er ikke ja eller nei."),
        (r"'([^']*)' is not one of (.+)\.", r"'\1' er ikke en av \2."),
        (r"(\S+) is not in the range (.+)\.", r"\1 er utenfor området \2."),
        (r"(?:File|Path|Directory) '([^']*)' does not exist\.", r"'\1' finnes ikke."),
        (r"(?:File|Path) '([^']*)' is a directory\.", r"'\1' er en mappe."),
        (r"(?:Directory|Path) '([^']*)' is a file\.", r"'\1' er en fil."),
        (r"(?:File|Path|Directory) '([^']*)' is not readable\.", r"'\1' kan ikke leses."),
        (r"(?:File|Path|Directory) '([^']*)' is not writable\.", r"'\1' kan ikke skrives."),
        (r"Missing command\.", "Mangler kommando."),
    )
)
USAGE_PREFIX: Final = "Bruk: "
OPTIONS_METAVAR: Final = "[VALG]"
SUBCOMMAND_METAVAR: Final = "KOMMANDO [ARGUMENTER]..."
HELP_TEXT: Final = CATALOGUE["Show this message and exit."]


def translate_message(text: str) -> str:
    """A parser message in bokmål (the parts we know; the rest as it is)."""
    for pattern, replacement in MESSAGES:
        text = pattern.sub(replacement, text)
    return text


def bokmal_usage_error(exc: Exception) -> None:
    """Give a click usage error (unknown option, missing value ...) its bokmål message, in
    place: its type, context and exit code stay."""
    format_message = getattr(exc, "format_message", None)
    if format_message is None or type(exc).__name__ == "NoArgsIsHelpError":
        return
    text = translate_message(format_message())
    exc.message = text  # type: ignore[attr-defined]
    exc.format_message = lambda: text  # type: ignore[attr-defined]


def bokmal_usage(text: str) -> str:
    """The usage line with "Bruk:" for "Usage:"."""
    return text.replace("Usage: ", USAGE_PREFIX, 1)
