"""Mails a newcomer can find: with DEBUG on they go to files under var/mail/, the secretariat reads them at
/dev/mail/, and links in them use the address `make run` serves on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from core.dev_mail import FILE_BACKEND

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings; "
    "print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH); print(settings.PORTAL_BASE_URL)"
)


def settings_seen(**env: str) -> list[str]:
    names = {"EMAIL_BACKEND", "EMAIL_FILE_PATH", "PORTAL_BASE_URL", "HOST", "PORT", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in names}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", SHOW],
        cwd=ROOT,
        env={**clean, "ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_with_debug_mails_go_to_files_under_var_and_links_use_the_served_address():
    backend, folder, base_url = settings_seen(DEBUG="true", HOST="localhost", PORT="8123")
    assert backend == FILE_BACKEND
    assert Path(folder) == ROOT / "var" / "mail"
    assert base_url == "http://localhost:8123"


def test_an_explicit_address_and_backend_win():
    backend, _folder, base_url = settings_seen(
        DEBUG="true",
        PORT="8123",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        PORTAL_BASE_URL="https://portal.example.no/",
    )
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert base_url == "https://portal.example.no"


@pytest.fixture
def mail_files(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path)
    connection = mail.get_connection(FILE_BACKEND, file_path=str(tmp_path))
    mail.EmailMessage(
        "Engangskode for signering",
        "Koden din er 042917.",
        "portal@localhost",
        ["dag@masfjorden.kommune.no"],
        connection=connection,
    ).send()
    return tmp_path


def test_the_secretariat_reads_the_mails_in_the_portal(client, personas, mail_files):
    client.force_login(personas.secretariat)
    listing = client.get(reverse("dev_mail_list"))
    assert listing.status_code == 200
    assert "Engangskode for signering" in listing.content.decode()
    name = next(mail_files.iterdir()).name
    page = client.get(reverse("dev_mail_detail", args=[name]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Koden din er 042917." in html and "dag@masfjorden.kommune.no" in html


def test_others_may_not_read_them(client, personas, mail_files):
    assert client.get(reverse("dev_mail_list")).status_code == 302  # to the login
    client.force_login(personas.director)
    assert client.get(reverse("dev_mail_list")).status_code == 403


def test_a_name_outside_the_folder_is_not_found(client, personas, mail_files):
    client.force_login(personas.secretariat)
    assert client.get(reverse("dev_mail_detail", args=["..%2Fsecret.log"])).status_code == 404
    assert client.get(reverse("dev_mail_detail", args=["absent.log"])).status_code == 404


def test_without_debug_the_pages_do_not_exist(client, personas, mail_files, settings):
    settings.DEBUG = False
    client.force_login(personas.secretariat)
    assert client.get(reverse("dev_mail_list")).status_code == 404
    name = next(mail_files.iterdir()).name
    assert client.get(reverse("dev_mail_detail", args=[name])).status_code == 404
