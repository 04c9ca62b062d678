"""The README tells the truth where a test can hold it: every `python manage.py` command it names exists and
accepts the arguments it shows, and its figures match the code."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PLACEHOLDER_NUMBERS = {"MEETING_ID": "1"}


def readme_commands() -> list[str]:
    """Every `python manage.py …` the README shows: in code blocks (one a line) and inline (across line breaks)."""
    found = []
    for line in README.splitlines():
        if line.startswith("    ") and "python manage.py " in line:
            found.append(line.split("python manage.py ", 1)[1].split("#", 1)[0].strip())
    prose = "\n".join(line for line in README.splitlines() if not line.startswith("    "))
    for span in re.findall(r"`([^`]*python manage\.py [^`]*)`", re.sub(r"\s*\n\s*", " ", prose)):
        found.append(span.split("python manage.py ", 1)[1].strip())
    return [command for command in dict.fromkeys(found) if command and "…" not in command]


def arguments(shown: str) -> list[str]:
    tokens = []
    for token in shlex.split(shown.replace("[", " ").replace("]", " ")):
        token = token.split("|", 1)[0]  # ehf|pdf: one of them
        tokens.append(PLACEHOLDER_NUMBERS.get(token, token))
    return tokens


COMMANDS = readme_commands()


def test_the_readme_names_the_commands_it_documents():
    names = {command.split()[0] for command in COMMANDS}
    assert {"import_population", "contributions", "invoices", "meetings", "load_demo", "check"} <= names


@pytest.mark.parametrize("shown", COMMANDS)
def test_every_readme_command_exists_and_accepts_what_it_shows(shown):
    name, *rest = arguments(shown)
    commands = get_commands()
    assert name in commands, f"`python manage.py {shown}`: there is no command {name!r}"
    command = load_command_class(commands[name], name)
    parser = command.create_parser("manage.py", name)
    try:
        parser.parse_args(rest)
    except (CommandError, SystemExit) as error:
        pytest.fail(f"`python manage.py {shown}` is refused: {error}")


def test_the_load_run_is_described_as_it_runs():
    source = (ROOT / "bench" / "load.py").read_text()
    seconds = re.search(r'BENCH_LOAD_SECONDS"\) or (\d+)', source).group(1)
    users = re.search(r'BENCH_LOAD_USERS"\) or (\d+)', source).group(1)
    assert f"{users} users for {seconds} s" in README
    assert "2 000 initiatives" in README


def test_the_number_of_journeys_is_right():
    source = (ROOT / "tests" / "e2e" / "test_journeys.py").read_text()
    count = len(re.findall(r"^def test_", source, re.M))
    words = {
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
        10: "ten",
        11: "eleven",
        12: "twelve",
    }
    assert f"({'`test_journeys.py`'}, {words[count]} of them)" in README


def test_the_portal_address_for_mailed_links_is_in_the_production_section_and_the_compose_file():
    production = README.split("## Production", 1)[1]
    assert "PORTAL_BASE_URL" in production
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "PORTAL_BASE_URL" in compose["x-portal"]["environment"]


def test_make_test_runs_the_checks_the_readme_says():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\blint\b.*\bcheck-migrations\b", makefile, re.M)
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    said = README.split("## Browser tests", 1)[0]
    for tool, name in (
        ("ruff check", "ruff"),
        ("ruff format --check", "format check"),
        ("lint-imports", "import-linter"),
        ("mypy", "mypy"),
    ):
        assert tool in lint
        assert name in said
