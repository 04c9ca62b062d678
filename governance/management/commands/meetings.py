"""`meetings board-pack MEETING_ID --out FILE.pdf` and `meetings minutes MEETING_ID --out FILE.pdf [--public]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance import documents
from governance.models import Meeting


class Command(BaseCommand):
    help = "Meeting documents: `board-pack` writes the board pack, `minutes` the minutes, each as one PDF."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        pack = actions.add_parser("board-pack", help="Notice, agenda, contents, case papers and their attachments.")
        pack.add_argument("meeting_id", type=int)
        pack.add_argument("--out", required=True, type=Path)
        minutes = actions.add_parser("minutes", help="The minutes of a held meeting.")
        minutes.add_argument("meeting_id", type=int)
        minutes.add_argument("--out", required=True, type=Path)
        minutes.add_argument("--public", action="store_true", help="Leave out the content of exempt cases.")

    def _meeting(self, meeting_id: int) -> Meeting:
        meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(f"There is no meeting {meeting_id}.")
        return meeting

    def handle(self, *args, action: str, meeting_id: int, out: Path, **options):
        meeting = self._meeting(meeting_id)
        if action == "board-pack":
            rendered = documents.board_pack_pdf(
                meeting, on_progress=lambda percent: self.stderr.write(f"{percent} %", ending="\r")
            )
        else:
            if not meeting.is_held:
                raise CommandError(f"Meeting {meeting_id} has not been held; there are no minutes yet.")
            rendered = documents.minutes_pdf(meeting, public=options["public"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(rendered.data)
        self.stdout.write(f"{out}: {rendered.pages} pages")
