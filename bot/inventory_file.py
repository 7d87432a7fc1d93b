"""The team's inventory spreadsheet: reading it as they keep it, writing it back.

The file is an Excel workbook (``.xlsx``) or a CSV (``;`` or ``,`` separated,
UTF-8 with or without BOM, or Windows-1252 as French Excel saves it). Headers
are French or English, with or without accents; a title line above them is
skipped. Words in cells may be French (``envoi``, ``désactivé``) or English,
and dates French (``14/03/2024``, ``14 mars 2024``) or ISO.

What is written back is the same format: French headers and words by default,
CSV with ``;`` and a BOM so that Excel shows accents, and so that importing an
export gives the same inventory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.texts import text

HEADER_SEARCH_ROWS = 10
"""How many rows above the header a file may have (a title, a blank line)."""
LOG_PATH_SEPARATOR = " | "
"""Between the log paths of a batch that writes more than one log."""


@dataclass(frozen=True)
class Column:
    field: str
    french: str
    english: str
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {header_key(n) for n in (self.french, self.english, *self.aliases)}


COLUMNS = (
    Column("server", "Serveur", "Server", ("serveur d'ordonnancement",)),
    Column("batch", "Nom du batch", "Batch name", ("batch", "nom", "name")),
    Column("category", "Catégorie", "Category", ("type",)),
    Column("client", "Client", "Client"),
    Column("environment", "Environnement", "Environment", ("env",)),
    Column("created_on", "Date de création", "Creation date", ("created on",)),
    Column("deployed_by", "Admin", "Admin", ("déployé par", "deployed by")),
    Column(
        "schedule",
        "Date d'exécution",
        "Schedule",
        ("planification", "exécution", "execution date"),
    ),
    Column("execution_folder", "Répertoire d'exécution", "Execution folder"),
    Column(
        "log_path",
        "Répertoire de logs",
        "Log folder",
        ("répertoire de log", "chemin de logs", "log path", "logs"),
    ),
    Column("state", "État", "State", ("statut", "status")),
    Column("task", "Tâche planifiée", "Scheduled task", ("tâche", "task")),
    Column("project_manager", "Chef de projet", "Project manager"),
    Column(
        "project_manager_jid",
        "Chef de projet (Zoom)",
        "Project manager (Zoom)",
        ("project manager jid",),
    ),
    Column("channel_jid", "Canal (Zoom)", "Channel (Zoom)", ("channel jid",)),
)
REQUIRED_COLUMNS = ("server", "batch", "client")
"""Columns a file must have; of their cells only server and batch must be set."""

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "send": ("envoi", "send", "envois", "mail", "mails"),
    "import": ("import",),
    "export": ("export",),
    "purge": ("purge", "purge rgpd"),
    "recurring": ("tâche récurrente", "recurring", "récurrente", "récurrent"),
}
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "ready": ("prêt", "ready", "prête", "actif", "active"),
    "inactive": ("inactif", "inactive"),
    "disabled": ("désactivé", "disabled", "désactivée"),
}
ENVIRONMENT_WORDS: dict[str, tuple[str, ...]] = {
    "RecetteInterne": ("RecetteInterne", "recette interne"),
    "RecetteClient": ("RecetteClient", "recette client"),
    "Production": ("Production", "prod"),
}
FRENCH_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2})?)?$"
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_WORDED_DATE = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+)\.? (\d{4})$")


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file; ``line`` is None for the file as a whole."""

    line: int | None
    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        said = text(lang, self.key, **self.values)
        if self.line is None:
            return said
        return text(lang, "import.at_line", line=self.line, problem=said)


class InventoryFileError(Exception):
    """The file cannot be read as an inventory at all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.key)
        self.problem = problem


@dataclass(frozen=True)
class FileRow:
    """A row of the file: its line number and its cells by field, stripped."""

    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass(frozen=True)
class InventoryFile:
    rows: list[FileRow]
    headers: dict[str, str]
    """Each field found, with the header it had in the file."""


@dataclass(frozen=True)
class InventoryRow:
    """A batch as the team's file holds it, words and dates still typed."""

    server: str
    batch: str
    category: str
    client: str | None
    environment: str
    created_on: date | None
    deployed_by: str | None
    schedule: str | None
    execution_folder: str | None
    log_paths: tuple[str, ...]
    state: str
    task: str | None
    project_manager: str | None
    project_manager_jid: str | None
    channel_jid: str | None


def header_key(name: str) -> str:
    """A header as compared: no accents, no case, single spaces, plain quote."""
    return " ".join(fold(name).replace("’", "'").split())


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {
        "".join(fold(alias).split()): name
        for name, aliases in words.items()
        for alias in aliases
    }


_CATEGORIES = _lookup(CATEGORY_WORDS)
_STATES = _lookup(STATE_WORDS)
_ENVIRONMENTS = _lookup(ENVIRONMENT_WORDS)


def _word_key(word: str) -> str:
    return "".join(fold(word).replace("_", " ").replace("-", " ").split())


def category_of(word: str) -> str | None:
    """``envoi``, ``Tâche récurrente``, ``send``... as the category's name."""
    return _CATEGORIES.get(_word_key(word))


def state_of(word: str) -> str | None:
    return _STATES.get(_word_key(word))


def environment_of(word: str) -> str | None:
    return _ENVIRONMENTS.get(_word_key(word))


def date_of(word: str) -> date | None:
    """A French or ISO date: 14/03/2024, 14-03-24, 1er mars 2024, 2024-03-14."""
    cleaned = fold(word).replace(",", " ")
    cleaned = " ".join(cleaned.split())
    try:
        if found := _NUMERIC_DATE.match(cleaned):
            day, month, year = (int(part) for part in found.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if found := _ISO_DATE.match(cleaned):
            year, month, day = (int(part) for part in found.groups())
            return date(year, month, day)
        if (found := _WORDED_DATE.match(cleaned)) and found[2] in FRENCH_MONTHS:
            return date(int(found[3]), FRENCH_MONTHS[found[2]], int(found[1]))
    except ValueError:
        return None
    return None


def split_log_paths(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def read_inventory_file(path: Path) -> InventoryFile:
    """The rows of a .xlsx or .csv inventory, with the line each comes from."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        lines = _xlsx_lines(path)
    elif suffix in (".csv", ".txt"):
        lines = _csv_lines(path.read_bytes())
    else:
        raise InventoryFileError(
            Problem(None, "import.unknown_format", {"name": path.name})
        )
    return _rows(path.name, lines)


Line = tuple[int, list[str]]


def _csv_lines(data: bytes) -> list[Line]:
    content = _decode(data)
    candidates = [_split_csv(content, delimiter) for delimiter in ";,"]
    # The delimiter is the one under which a header line shows up.
    for lines in candidates:
        if _find_header(lines) is not None:
            return lines
    return candidates[0]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _split_csv(content: str, delimiter: str) -> list[Line]:
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    lines: list[Line] = []
    next_line = 1
    for cells in reader:
        lines.append((next_line, cells))
        next_line = reader.line_num + 1
    return lines


def _xlsx_lines(path: Path) -> list[Line]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises whatever its zip and XML readers raise on a bad file.
        raise InventoryFileError(
            Problem(None, "import.bad_workbook", {"name": path.name})
        ) from error
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold for it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _find_header(lines: Sequence[Line]) -> tuple[int, dict[int, str]] | None:
    for index, (_, cells) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        columns = _columns(cells)
        if {"server", "batch"} <= set(columns.values()):
            return index, columns
    return None


def _columns(cells: Sequence[str]) -> dict[int, str]:
    known = {name: column.field for column in COLUMNS for name in column.names()}
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        name = known.get(header_key(cell))
        if name is not None and name not in found.values():
            found[index] = name
    return found


def _rows(name: str, lines: list[Line]) -> InventoryFile:
    header = _find_header(lines)
    if header is None:
        raise InventoryFileError(Problem(None, "import.no_header", {"name": name}))
    at, columns = header
    header_cells = lines[at][1]
    missing = [f for f in REQUIRED_COLUMNS if f not in columns.values()]
    if missing:
        raise InventoryFileError(
            Problem(
                None,
                "import.missing_columns",
                {"name": name, "columns": ", ".join(_french(f) for f in missing)},
            )
        )

    rows = [
        FileRow(
            number,
            {columns[i]: c.strip() for i, c in enumerate(cells) if i in columns},
        )
        for number, cells in lines[at + 1 :]
        if any(c.strip() for c in cells)
    ]
    headers = {f: header_cells[i].strip() for i, f in columns.items()}
    return InventoryFile(rows, headers)


def _french(name: str) -> str:
    return next(c.french for c in COLUMNS if c.field == name)


def headers(lang: str) -> list[str]:
    return [c.french if lang == "fr" else c.english for c in COLUMNS]


def row_cells(row: InventoryRow, lang: str) -> list[str]:
    """The row as the file's cells, in ``COLUMNS`` order."""
    values = {
        **{f.name: getattr(row, f.name) or "" for f in fields(row)},
        "category": word_for(CATEGORY_WORDS, row.category, lang),
        "state": word_for(STATE_WORDS, row.state, lang),
        "created_on": _date_cell(row.created_on, lang),
        "log_path": LOG_PATH_SEPARATOR.join(row.log_paths),
    }
    return [values[c.field] for c in COLUMNS]


def word_for(words: dict[str, tuple[str, ...]], name: str, lang: str) -> str:
    """The team's French word for a category or state, or its English name."""
    return words[name][0] if lang == "fr" else name


def _date_cell(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()


def write_csv(rows: Iterable[InventoryRow], lang: str = "fr") -> bytes:
    """``;`` separated, CRLF, UTF-8 with a BOM: what French Excel opens as is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(lang))
    for row in rows:
        writer.writerow(row_cells(row, lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Iterable[InventoryRow], lang: str = "fr") -> bytes:
    """One sheet, a bold frozen header with filters, dates as Excel dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Inventaire" if lang == "fr" else "Inventory"
    sheet.append(headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)

    created = [c.field for c in COLUMNS].index("created_on")
    for row in rows:
        cells: list[Any] = list(row_cells(row, lang))
        cells[created] = row.created_on
        sheet.append(cells)
        sheet.cell(sheet.max_row, created + 1).number_format = (
            "DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD"
        )

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_widths(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fit_widths(sheet: Any) -> None:
    for column in sheet.columns:
        longest = max(len(cell_text(cell.value)) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, longest + 2)
