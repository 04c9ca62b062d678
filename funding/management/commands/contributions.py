"""`contributions simulate`: each member's contribution under a model file, as CSV, without touching the database.
`contributions recompute --year YYYY`: recompute and store the year's contributions under the adopted model."""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exports import spreadsheet_cell
from funding.calculation import MembersError, ModelError, compute
from funding.model_io import load_model, load_plan, parse_members_csv
from funding.sharing import compute_shares


class Command(BaseCommand):
    """Contribution models; one method per action, `handle_<action>`."""

    help = (
        "Contribution models. `simulate` prints id,amount,explanation for every member as CSV; "
        "`recompute --year YYYY` recomputes and stores a year's contributions."
    )

    def add_arguments(self, parser):
        """One subparser per action; each action's options live on its own subparser."""
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        simulate = actions.add_parser(
            "simulate",
            help="Compute each member's contribution under a model file and print CSV (id,amount,explanation).",
        )
        source = simulate.add_mutually_exclusive_group(required=True)
        source.add_argument("--model", type=Path, help="The model, as JSON (model.json); needs --members.")
        source.add_argument(
            "--plan", type=Path, help="A cost-sharing plan, as JSON (plan.json), with its participants in it."
        )
        simulate.add_argument("--members", type=Path, help="The members, as CSV: id,kind,population[,months].")

        recompute = actions.add_parser(
            "recompute", help="Recompute and store the year's contributions under its adopted model."
        )
        recompute.add_argument("--year", required=True, type=int, help="The budget year.")

    def handle(self, *args, action: str, **options):
        """Run the chosen action's `handle_<action>` method."""
        return getattr(self, f"handle_{action}")(**options)

    def handle_simulate(self, *, model: Path | None, plan: Path | None, members: Path | None, **options):
        """Print each member's contribution, in the order of the members file (or each participant's share)."""
        if plan is not None:
            return self._simulate_plan(plan, members)
        if model is None or members is None:
            raise CommandError("--model needs --members (the members file)")
        try:
            contribution_model = load_model(_read(model), source=str(model))
            member_list = parse_members_csv(_read(members), source=str(members))
        except (ModelError, MembersError) as error:
            raise CommandError(str(error)) from None
        try:
            contributions = compute(contribution_model, member_list)
        except ModelError as error:
            # compute() knows the model but not its file.
            raise CommandError(f"{model}: {error}") from None
        self._write_rows((c.member_id, c.amount, c.explanation) for c in contributions)

    def _simulate_plan(self, plan: Path, members: Path | None) -> None:
        """Print each participant's share of a cost-sharing plan, in the order of the plan's participants."""
        if members is not None:
            raise CommandError("--plan takes no --members: the plan lists its participants with their figures")
        try:
            sharing_plan = load_plan(_read(plan), source=str(plan))
            shares = compute_shares(sharing_plan)
        except ModelError as error:
            message = str(error)
            raise CommandError(message if message.startswith(str(plan)) else f"{plan}: {message}") from None
        self._write_rows((share.participant_id, share.amount, share.explanation) for share in shares)

    def _write_rows(self, rows) -> None:
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(["id", "amount", "explanation"])
        for row_id, amount, explanation in rows:
            writer.writerow([spreadsheet_cell(row_id), f"{amount:f}", spreadsheet_cell(explanation)])
        self.stdout.write(output.getvalue(), ending="")

    def handle_recompute(self, *, year: int, **options):
        """Recompute in this process and report what changed; invoiced contributions are only compared."""
        from funding.services import RecomputeBlocked, contributions_recompute

        try:
            report = contributions_recompute(year=year)
        except RecomputeBlocked as blocked:
            names = "".join(f"\n  {o.number or '-'} {o.name}" for o in blocked.organisations)
            raise CommandError(f"{year}: nothing was changed. {blocked}{names}") from None
        except ModelError as error:
            raise CommandError(f"{year}: nothing was changed. {error}") from None
        self.stdout.write(
            f"{year}: {report['created']} new, {report['updated']} changed, {report['unchanged']} unchanged, "
            f"{report['removed']} removed; total {report['total']} NOK."
        )
        for row in report["frozen_differences"]:
            self.stdout.write(
                f"  invoiced, not changed: {row['organisation']}: invoiced {row['invoiced']}, "
                f"recomputed {row['recomputed']}, difference {row['difference']}"
            )


def _read(path: Path) -> str:
    """The file's text (UTF-8, a byte order mark allowed), or a CommandError naming the file."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
