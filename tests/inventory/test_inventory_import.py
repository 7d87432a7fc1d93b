"""`batchops inventory import` and `export`: the team's spreadsheet as it is kept."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.inventory import join_log_path, split_log_path
from bot.inventory_file import category_of, date_of, environment_of, state_of
from bot.schema import upgrade
from bot.store import Batch, Client, LogSource, StatusChange, Store
from tests.inventory.support import cards_to, declare_servers

DATA = Path(__file__).parents[1] / "data" / "inventory"
FRENCH_FILE = DATA / "inventaire-fr-cp1252.csv"
MANAGER = "helene.dubois@xmpp.zoom.us"
CHANNEL = "alerts@outbox"


def batch_count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count(Batch.id))) or 0


def test_it_imports_nothing_from_a_french_file_with_bad_rows(batchops, store) -> None:
    declare_servers(store, "SRV-ORDO-01")

    said = batchops("inventory", "import", str(FRENCH_FILE), expect=1)

    assert (
        "ligne 5 : Catégorie : « envoie » n'est pas une valeur connue "
        "(envoi (send), import, export, purge, tâche récurrente (recurring))" in said
    )
    assert "ligne 6 : Date de création : « 31/02/2024 » n'est pas une date" in said
    assert (
        "ligne 7 : serveur inconnu « SRV-ORDO-09 » : déclarez-le d'abord avec "
        "batchops servers add SRV-ORDO-09 --host HÔTE" in said
    )
    assert "ligne 3" not in said and "ligne 4" not in said
    assert "3 ligne(s) en erreur : rien n'est importé." in said
    assert batch_count(store) == 0
    assert cards_to(store, CHANNEL) == []


def test_it_imports_the_good_rows_when_told_to_skip_the_bad(batchops, store) -> None:
    declare_servers(store, "SRV-ORDO-01")

    said = batchops("inventory", "import", "--skip-bad-rows", str(FRENCH_FILE))

    assert "3 ligne(s) écartée(s), les autres sont importées." in said
    assert "2 ligne(s) importée(s) — 2 batch(s) nouveau(x)" in said
    with store.session() as session:
        relances = session.scalars(
            select(Batch).where(Batch.name == "EnvoiRelances")
        ).one()
        imported = session.scalars(
            select(Batch).where(Batch.name == "ImportAdhérents")
        ).one()
        assert (relances.category, relances.state) == ("send", "ready")
        assert relances.created_on == date(2024, 3, 1)
        assert relances.schedule == "Tous les jours à 06:00"
        assert relances.client is not None
        assert relances.client.name == "Mutuelle Générale"
        assert relances.client.project_manager_jid == MANAGER
        assert (imported.state, imported.environment) == ("disabled", "RecetteClient")
        assert imported.created_on == date(2024, 3, 14)
        source = session.scalars(
            select(LogSource).where(LogSource.batch_id == relances.id)
        ).one()
        assert (source.path, source.pattern) == ("D:\\Logs\\EnvoiRelances", "*.log")


def test_it_reads_an_excel_workbook_with_english_headers(
    batchops, store, tmp_path
) -> None:
    declare_servers(store, "SRV-ORDO-01")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Batch list"])
    sheet.append([])
    sheet.append(["Server", "Batch name", "Category", "Client", "Creation date"])
    sheet.append(
        ["srv-ordo-01", "ExportCompta", "export", "Horizon", datetime(2025, 6, 5)]
    )
    sheet.append(["SRV-ORDO-01", "Relances", "send", "Horizon", "05/06/2025"])
    path = tmp_path / "batches.xlsx"
    workbook.save(path)

    said = batchops("inventory", "import", str(path))

    assert "2 ligne(s) importée(s)" in said
    with store.session() as session:
        created = session.scalars(select(Batch.created_on)).all()
    assert created == [date(2025, 6, 5), date(2025, 6, 5)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Nom;Etat\nA;pret\n", "aucune ligne d'en-têtes trouvée"),
        (b"Serveur;Nom du batch\nS;A\n", "colonne(s) manquante(s) : Client"),
    ],
)
def test_it_says_what_is_missing_from_a_file_that_is_no_inventory(
    batchops, tmp_path, content: bytes, expected: str
) -> None:
    path = tmp_path / "batchs.csv"
    path.write_bytes(content)
    assert expected in batchops("inventory", "import", str(path), expect=1)


def test_it_asks_for_xlsx_or_csv_rather_than_an_old_excel_file(
    batchops, tmp_path
) -> None:
    path = tmp_path / "batchs.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    said = batchops("inventory", "import", str(path), expect=1)
    assert "enregistrez le tableau en .xlsx ou en .csv" in said


def test_it_refuses_a_batch_listed_twice(batchops, store, tmp_path) -> None:
    declare_servers(store, "SRV-ORDO-01")
    path = tmp_path / "batchs.csv"
    path.write_text(
        "Serveur,Nom du batch,Client\nSRV-ORDO-01,Export,A\nSRV-ORDO-01,export,A\n"
    )
    said = batchops("inventory", "import", str(path), expect=1)
    assert "ligne 3 : export sur SRV-ORDO-01 figure déjà ligne 2" in said


def import_french_file(batchops) -> None:  # type: ignore[no-untyped-def]
    batchops("inventory", "import", "--skip-bad-rows", str(FRENCH_FILE))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_gives_the_same_inventory_when_an_export_is_imported(
    batchops, store, tmp_path, monkeypatch, file_format: str
) -> None:
    declare_servers(store, "SRV-ORDO-01")
    import_french_file(batchops)
    exported = tmp_path / f"export.{file_format}"
    batchops("inventory", "export", "--format", file_format, "-o", str(exported))
    first = tmp_path / "first.csv"
    batchops("inventory", "export", "-o", str(first))

    fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    declare_servers(fresh, "SRV-ORDO-01")
    monkeypatch.setenv("DATABASE_URL", fresh.url)
    said = batchops("inventory", "import", str(exported))
    again = tmp_path / "again.csv"
    batchops("inventory", "export", "-o", str(again))

    assert "2 ligne(s) importée(s) — 2 batch(s) nouveau(x)" in said
    assert again.read_bytes() == first.read_bytes()
    fresh.dispose()


def test_it_changes_nothing_when_its_own_export_is_imported_again(
    batchops, store, tmp_path
) -> None:
    declare_servers(store, "SRV-ORDO-01")
    import_french_file(batchops)
    exported = tmp_path / "export.xlsx"
    batchops("inventory", "export", "--format", "xlsx", "-o", str(exported))
    told_before = len(cards_to(store, CHANNEL))

    said = batchops("inventory", "import", str(exported))

    assert "0 batch(s) nouveau(x), 0 changement(s) d'état" in said
    assert len(cards_to(store, CHANNEL)) == told_before


def test_it_writes_the_csv_excel_opens_with_its_accents(
    batchops, store, tmp_path
) -> None:
    declare_servers(store, "SRV-ORDO-01")
    import_french_file(batchops)
    path = tmp_path / "export.csv"
    batchops("inventory", "export", "-o", str(path))

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfServeur;Nom du batch;Cat\xc3\xa9gorie;")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith("SRV-ORDO-01;EnvoiRelances;envoi;Mutuelle Générale;")
    assert ";01/03/2024;" in lines[1]
    assert ";désactivé;" in lines[2]


def test_it_writes_an_excel_sheet_with_dates_as_dates(
    batchops, store, tmp_path
) -> None:
    declare_servers(store, "SRV-ORDO-01")
    import_french_file(batchops)
    path = tmp_path / "export.xlsx"
    batchops("inventory", "export", "--format", "xlsx", "-o", str(path))

    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Serveur"
    assert sheet["F2"].value == datetime(2024, 3, 1)
    assert sheet["C2"].value == "envoi"


def test_it_records_a_state_the_file_changes_and_tells_the_manager_once(
    batchops, store, tmp_path
) -> None:
    declare_servers(store, "SRV-ORDO-01")
    import_french_file(batchops)
    path = tmp_path / "update.csv"
    path.write_text(
        "Serveur;Nom du batch;Client;État\n"
        "SRV-ORDO-01;EnvoiRelances;Mutuelle Générale;désactivé\n"
        "SRV-ORDO-01;ImportAdhérents;Mutuelle Générale;désactivé\n",
        encoding="utf-8",
    )

    said = batchops("inventory", "import", str(path), "--as", "mleroy")
    batchops("inventory", "import", str(path), "--as", "mleroy")

    assert "0 batch(s) nouveau(x), 1 changement(s) d'état" in said
    with store.session() as session:
        change = session.scalars(
            select(StatusChange).order_by(StatusChange.id.desc())
        ).first()
        assert change is not None
        assert (change.from_state, change.to_state) == ("ready", "disabled")
        assert (change.source, change.changed_by) == ("import", "mleroy")
        assert change.reason == "import de update.csv, ligne 2"
    to_manager = cards_to(store, MANAGER)
    assert len(to_manager) == 2
    assert (
        "EnvoiRelances (SRV-ORDO-01, Mutuelle Générale) : prêt → désactivé"
        in (to_manager[1])
    )
    assert "ImportAdhérents" not in to_manager[1]


def test_it_keeps_what_an_empty_cell_does_not_say(batchops, store, tmp_path) -> None:
    declare_servers(store, "SRV-ORDO-01")
    import_french_file(batchops)
    path = tmp_path / "update.csv"
    path.write_text("Serveur,Nom du batch,Client\nSRV-ORDO-01,EnvoiRelances,\n")

    batchops("inventory", "import", str(path))

    with store.session() as session:
        batch = session.scalars(
            select(Batch).where(Batch.name == "EnvoiRelances")
        ).one()
        assert batch.schedule == "Tous les jours à 06:00"
        assert session.scalar(select(func.count(Client.id))) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14/03/2024", date(2024, 3, 14)),
        ("14/03/24", date(2024, 3, 14)),
        ("4-3-2024", date(2024, 3, 4)),
        ("14.03.2024", date(2024, 3, 14)),
        ("14/03/2024 09h30", date(2024, 3, 14)),
        ("1er mars 2024", date(2024, 3, 1)),
        ("17 Août 2025", date(2025, 8, 17)),
        ("3 déc. 2025", date(2025, 12, 3)),
        ("2024-03-14", date(2024, 3, 14)),
        ("31/02/2024", None),
        ("mars 2024", None),
        ("03/14/2024", None),
    ],
)
def test_it_reads_french_dates(typed: str, expected: date | None) -> None:
    assert date_of(typed) == expected


def test_it_reads_the_teams_words_with_or_without_accents() -> None:
    assert category_of("Tâche récurrente") == category_of("tache recurrente")
    assert category_of("ENVOI") == "send"
    assert state_of("Désactivé") == state_of("desactive") == "disabled"
    assert environment_of("Recette interne") == "RecetteInterne"
    assert environment_of("PROD") == "Production"
    assert category_of("envoie") is None


@pytest.mark.parametrize(
    ("cell", "split"),
    [
        ("D:\\Logs\\Export\\*.log", ("D:\\Logs\\Export", "*.log")),
        ("D:\\Logs\\Export\\export.log", ("D:\\Logs\\Export\\export.log", None)),
        ("D:\\Logs\\Export\\", ("D:\\Logs\\Export", "*")),
        ("Logs/Import/*.txt", ("Logs/Import", "*.txt")),
        ("*.log", (".", "*.log")),
    ],
)
def test_it_reads_a_log_path_as_a_file_or_a_folder_and_writes_it_back(
    cell: str, split: tuple[str, str | None]
) -> None:
    assert split_log_path(cell) == split
    assert split_log_path(join_log_path(*split)) == split
