"""Every PowerShell script parses and keeps the rules all of them follow."""

from pathlib import Path

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Node, Parser

from integrations.windows.scripted import load_script

SCRIPTS = sorted(
    (Path(__file__).parents[1] / "integrations" / "windows" / "scripts").glob("*.ps1")
)
PARSER = Parser(Language(tree_sitter_powershell.language()))


def _errors(node: Node) -> list[str]:
    if node.type == "ERROR" or node.is_missing:
        return [f"line {node.start_point[0] + 1}: {node.text[:60]!r}"]
    return [error for child in node.children for error in _errors(child)]


def _statements(script: Path) -> list[str]:
    root = PARSER.parse(script.read_bytes()).root_node
    (body,) = [child for child in root.children if child.type == "statement_list"]
    return [child.text.decode() for child in body.named_children]


def test_it_finds_the_scripts():
    assert {script.stem for script in SCRIPTS} >= {
        "list_tasks",
        "enable_task",
        "disable_task",
        "start_task",
        "register_task_xml",
        "read_chunks",
        "list_files",
        "write_file",
        "copy_file",
    }


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_it_parses_every_script_without_error(script):
    tree = PARSER.parse(script.read_bytes())

    assert _errors(tree.root_node) == []


def test_it_sees_a_syntax_error():
    tree = PARSER.parse(b"function Broken( {\n  $x = \n")

    assert _errors(tree.root_node) != []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_it_stops_on_the_first_error_in_every_script(script):
    # param() must come first in a PowerShell script, so the preference is the
    # first statement after it.
    assert _statements(script)[0] == "$ErrorActionPreference = 'Stop'"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_it_prints_one_compressed_json_document_last(script):
    statements = _statements(script)
    printing = [s for s in statements if "ConvertTo-Json" in s]

    assert printing == [statements[-1]]
    assert "-Compress" in statements[-1]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_it_loads_every_script_by_name(script):
    assert load_script(script.stem) == script.read_text(encoding="utf-8")
