"""Bank files as banks send them, written for the tests: OCR giro with netsgiro's own writer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import netsgiro

DATA = Path(__file__).resolve().parent.parent / "data" / "bank"


@dataclass(frozen=True)
class Giro:
    kid: str
    amount: Decimal
    archive_reference: str  # 9 digits, the bank's reference
    settled_on: date
    debit_account: str = "36240511111"
    reversal: bool = False


# The payments of tests/data/bank/: Masfjorden pays invoice 1 in full, Voss part of invoice 2, and someone pays
# with a KID the portal never issued. The camt.054 files bring the same three with the same references.
PAYMENTS = [
    Giro("1000000016", Decimal("133820.00"), "260120101", date(2026, 12, 1), "36240511111"),
    Giro("1000000024", Decimal("400000.00"), "260120102", date(2026, 12, 1), "35300522222"),
    Giro("2000000014", Decimal("500.00"), "260120103", date(2026, 12, 1), "12010533333"),
]


def ocr_giro(payments: list[Giro], *, account: str = "15030112358", number: str = "0120101") -> bytes:
    """An OCR giro transmission from Nets to the payee, one assignment of the payments, as netsgiro writes it."""
    settled = max(payment.settled_on for payment in payments)
    transmission = netsgiro.Transmission(
        number=number, data_transmitter="00008080", data_recipient="00012345", date=settled
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.OCR_GIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        agreement_id="001008567",
        number="4" + number[1:],
        account=account,
        date=settled,
    )
    for index, payment in enumerate(payments, start=1):
        assignment.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO,
                type=netsgiro.TransactionType.REVERSING_WITH_TEXT
                if payment.reversal
                else netsgiro.TransactionType.FROM_GIRO_DEBITED_ACCOUNT,
                number=index,
                date=payment.settled_on,
                amount=payment.amount,
                kid=payment.kid,
                reference=payment.archive_reference,
                text="Tilbakeført" if payment.reversal else None,
                centre_id="13",
                day_code=payment.settled_on.day,
                partial_settlement_number=1,
                partial_settlement_serial_number="01234",
                sign="-" if payment.reversal else "0",
                form_number="9636827194",
                bank_date=payment.settled_on,
                debit_account=payment.debit_account,
                filler="0000000",
            )
        )
    return (transmission.to_ocr() + "\n").encode("latin-1")


def camt_054(payments: list[Giro], *, account: str = "15030112358", version: str = "001.08") -> bytes:
    """A camt.054 credit notification of the payments, one booked entry per booking date, shaped as the files in
    tests/data/bank/ (the KID in the structured creditor reference, the archive reference in Refs/AcctSvcrRef)."""
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version == "001.08" else "<Sts>BOOK</Sts>"
    entries = []
    for day in sorted({payment.settled_on for payment in payments}):
        booked = [payment for payment in payments if payment.settled_on == day]
        details = "".join(
            "<TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>{amount}"
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{kid}</Ref></CdtrRefInf>"
            "</Strd></RmtInf></TxDtls>".format(
                ref=payment.archive_reference,
                kid=payment.kid,
                amount=f'<AmtDtls><TxAmt><Amt Ccy="NOK">{payment.amount:.2f}</Amt></TxAmt></AmtDtls>'
                if version == "001.02"
                else f'<Amt Ccy="NOK">{payment.amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd>',
            )
            for payment in booked
        )
        total = sum((payment.amount for payment in booked), Decimal(0))
        entries.append(
            f'<Ntry><Amt Ccy="NOK">{total:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd>{status}'
            f"<BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><ValDt><Dt>{day.isoformat()}</Dt></ValDt>"
            f"<NtryDtls>{details}</NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.{version}"><BkToCstmrDbtCdtNtfctn>'
        "<GrpHdr><MsgId>CAMT054-TEST</MsgId><CreDtTm>2026-12-02T05:42:17</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>{account}</Id><CreDtTm>2026-12-02T05:42:17</CreDtTm>"
        f"<Acct><Id><Othr><Id>{account}</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id></Acct>"
        + "".join(entries)
        + "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode()
