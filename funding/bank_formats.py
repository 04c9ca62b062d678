"""Bank files as Norwegian banks send them, read without touching the database.

Three formats give the same rows (`funding.bank_file.BankRow`), recognised from the content, not the name:

- Nets OCR giro (the fixed-width 80-character "OCR-fil" of KID payments), read with the `netsgiro` library,
  as Nets' system specification for OCR giro describes it;
- ISO 20022 camt.054 (BankToCustomerDebitCreditNotification) in the versions Norwegian banks send
  (001.02, 001.04, 001.08), the KID in the structured creditor reference;
- the portal's own CSV (date,amount,kid,reference).

A file with any error is refused whole: every problem is named with its line (and, in XML, its element).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import netsgiro
import netsgiro.records
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from funding.bank_file import LARGEST_AMOUNT, LONGEST_KID, LONGEST_REFERENCE, BankRow, parse_bank_file

OCR_GIRO = "ocr"
CAMT_054 = "camt.054"
CSV = "csv"

CAMT_NAMESPACES = {
    "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02": "001.02",
    "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04": "001.04",
    "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08": "001.08",
}


def bank_file_format(raw: bytes) -> str:
    """Which format a file is in, from its first bytes: an OCR giro transmission starts with its start record
    (NY000010), a camt.054 file is XML, and anything else is read as the portal's CSV."""
    head = raw[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"NY000010"):
        return OCR_GIRO
    if head.startswith(b"<"):
        return CAMT_054
    return CSV


def parse_bank_statement(raw: bytes) -> tuple[str, list[BankRow]]:
    """The format of the file and its rows, or a ValidationError naming every problem (nothing is imported)."""
    kind = bank_file_format(raw)
    if kind == OCR_GIRO:
        return kind, parse_ocr_giro(raw)
    if kind == CAMT_054:
        return kind, parse_camt_054(raw)
    return kind, parse_bank_file(raw)


def _date_problem(where: str, day: date | None) -> str | None:
    if day is None:
        return _("%(where)s: there is no booking date.") % {"where": where}
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return _("%(where)s: the date %(date)s is not between the years %(earliest)d and %(latest)d.") % {
            "where": where,
            "date": day.isoformat(),
            "earliest": EARLIEST_YEAR,
            "latest": LATEST_YEAR,
        }
    return None


def _amount_problem(where: str, amount: Decimal) -> str | None:
    if amount <= 0:
        return _("%(where)s: the amount %(amount)s must be more than 0.") % {"where": where, "amount": amount}
    if amount > LARGEST_AMOUNT:
        return _("%(where)s: the amount %(amount)s is more than %(largest)s.") % {
            "where": where,
            "amount": amount,
            "largest": LARGEST_AMOUNT,
        }
    return None


# ------------------------------------------------------------------------------------------------
# Nets OCR giro


@dataclass
class _OcrTransaction:
    line: int
    record: Any  # netsgiro.records.TransactionAmountItem1
    reference: str = ""


def parse_ocr_giro(raw: bytes, *, max_errors: int = 50) -> list[BankRow]:
    """The payments of an OCR giro transmission from Nets.

    Each line is one 80-character record (netsgiro reads it); the records must come in the order of a
    transmission (start, assignments of transactions, end), and the counts and totals in the end records must
    agree with the transactions. The booking date is Nets' settlement date (oppgjørsdato), the bank's reference
    the archive reference, the account the assignment's account. A reversal (sign "-") is listed, not paid.
    """
    # The format is ISO 8859-1 by Nets' specification; the records themselves hold digits, spaces and letters.
    text = raw.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    errors: list[str] = []
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(lines, start=1):
        if len(line) != 80:
            errors.append(
                _("Line %(line)d: an OCR giro record has 80 characters, this line has %(length)d.")
                % {"line": number, "length": len(line)}
            )
        else:
            try:
                parsed: list[Any] = netsgiro.records.parse(line)
                records.extend((number, record) for record in parsed)
            except Exception as error:  # netsgiro raises ValueError, KeyError or attrs' errors
                errors.append(
                    _("Line %(line)d: not an OCR giro record (%(error)s).") % {"line": number, "error": error}
                )
        if len(errors) >= max_errors:
            break
    if errors:
        raise ValidationError(errors)
    rows = _ocr_rows(records, errors)
    if errors:
        raise ValidationError(errors[:max_errors])
    if not rows:
        raise ValidationError(_("The file has no payments."))
    # netsgiro builds its objects from the same records; what it cannot build is no OCR giro transmission.
    try:
        netsgiro.Transmission.from_records([record for _line, record in records])
    except Exception as error:  # netsgiro raises AssertionError, ValueError, TypeError or IndexError
        raise ValidationError(
            _("The records are not in the order of an OCR giro transmission (%(error)s).")
            % {"error": str(error) or type(error).__name__}
        ) from None
    return rows


def _ocr_rows(records: list[tuple[int, Any]], errors: list[str]) -> list[BankRow]:
    rec = netsgiro.records
    if not records or not isinstance(records[0][1], rec.TransmissionStart):
        errors.append(_("Line 1: the file must begin with a transmission start record (NY000010)."))
        return []
    if not isinstance(records[-1][1], rec.TransmissionEnd):
        errors.append(
            _("Line %(line)d: the file must end with a transmission end record (NY000089).") % {"line": records[-1][0]}
        )
        return []
    rows: list[BankRow] = []
    account: str | None = None
    transactions: dict[int, _OcrTransaction] = {}
    assignment_count = assignment_total = 0
    file_count = file_total = 0
    for line, record in records[1:-1]:
        if isinstance(record, rec.AssignmentStart):
            if account is not None:
                errors.append(_("Line %(line)d: an assignment starts before the last one ended.") % {"line": line})
            if record.service_code != netsgiro.ServiceCode.OCR_GIRO:
                errors.append(
                    _("Line %(line)d: this assignment is AvtaleGiro, not OCR giro payments.") % {"line": line}
                )
            account, transactions, assignment_count, assignment_total = record.assignment_account, {}, 0, 0
        elif isinstance(record, rec.AssignmentEnd):
            if account is None:
                errors.append(_("Line %(line)d: an assignment ends that never started.") % {"line": line})
                continue
            if (record.num_transactions, record.total_amount or 0) != (assignment_count, assignment_total):
                errors.append(
                    _(
                        "Line %(line)d: the assignment end record counts %(count)d transactions of %(total)s kroner, "
                        "but the assignment has %(found)d of %(found_total)s."
                    )
                    % {
                        "line": line,
                        "count": record.num_transactions,
                        "total": Decimal(record.total_amount or 0) / 100,
                        "found": assignment_count,
                        "found_total": Decimal(assignment_total) / 100,
                    }
                )
            for transaction in transactions.values():
                row = _ocr_row(transaction, account, errors)
                if row is not None:
                    rows.append(row)
            account = None
        elif isinstance(record, rec.TransactionAmountItem1):
            if account is None:
                errors.append(_("Line %(line)d: a transaction outside an assignment.") % {"line": line})
                continue
            transactions[record.transaction_number] = _OcrTransaction(line, record)
            assignment_count += 1
            file_count += 1
            # The end records add the amounts as written, a reversal's too (its sign is a field of its own).
            assignment_total += record.amount
            file_total += record.amount
        elif isinstance(record, rec.TransactionAmountItem2):
            first = transactions.get(record.transaction_number)
            if first is None:
                errors.append(
                    _("Line %(line)d: amount item 2 of transaction %(number)d comes without its amount item 1.")
                    % {"line": line, "number": record.transaction_number}
                )
                continue
            first.reference = (record.reference or "").strip()
        elif isinstance(record, (rec.TransmissionStart, rec.TransmissionEnd)):
            errors.append(_("Line %(line)d: a transmission record inside the transmission.") % {"line": line})
    if account is not None:
        errors.append(_("Line %(line)d: the last assignment has no end record.") % {"line": records[-1][0]})
    end_line, end = records[-1]
    if (end.num_transactions, end.total_amount, end.num_records) != (file_count, file_total, len(records)):
        errors.append(
            _(
                "Line %(line)d: the transmission end record counts %(count)d transactions of %(total)s kroner in "
                "%(records)d records, but the file has %(found)d of %(found_total)s in %(found_records)d."
            )
            % {
                "line": end_line,
                "count": end.num_transactions,
                "total": Decimal(end.total_amount) / 100,
                "records": end.num_records,
                "found": file_count,
                "found_total": Decimal(file_total) / 100,
                "found_records": len(records),
            }
        )
    return rows


def _ocr_row(transaction: _OcrTransaction, account: str, errors: list[str]) -> BankRow | None:
    record, line = transaction.record, transaction.line
    where = _("Line %(line)d") % {"line": line}
    amount = (Decimal(record.amount) / 100).quantize(Decimal("0.01"))
    kid = (record.kid or "").strip()
    problems = [
        problem
        for problem in (
            _date_problem(where, record.nets_date),
            _amount_problem(where, amount),
            None if kid else _("%(where)s: the transaction has no KID.") % {"where": where},
            None
            if len(kid) <= LONGEST_KID
            else _("%(where)s: the KID has more than %(longest)d digits.") % {"where": where, "longest": LONGEST_KID},
        )
        if problem
    ]
    errors.extend(problems)
    if problems:
        return None
    return BankRow(
        line,
        record.nets_date,
        amount,
        kid,
        transaction.reference,
        account=account,
        not_payment=record.sign == "-",
    )


# ------------------------------------------------------------------------------------------------
# ISO 20022 camt.054


def _where(element: Any) -> str:
    return _("Line %(line)d, element %(element)s") % {
        "line": element.sourceline or 0,
        "element": etree.QName(element).localname,
    }


def parse_camt_054(raw: bytes, *, max_errors: int = 50) -> list[BankRow]:
    """The credits of a camt.054 notification: one row per transaction (TxDtls) of each entry (Ntry).

    The account is the notification's (Acct/Id: IBAN or BBAN), the booking date the entry's BookgDt, the KID the
    structured creditor reference (RmtInf/Strd/CdtrRefInf/Ref) and the bank's reference the transaction's
    AcctSvcrRef (else the entry's). Debits, reversals and entries not booked are listed, never paid. A
    transaction without a KID is listed as one the portal cannot match.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        raise ValidationError(
            _("Line %(line)d: this is not well-formed XML (%(error)s).") % {"line": line, "error": error.msg}
        ) from None
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or namespace not in CAMT_NAMESPACES:
        raise ValidationError(
            _("Line %(line)d, element %(element)s: not a camt.054 notification (namespace %(namespace)s).")
            % {"line": root.sourceline or 1, "element": etree.QName(root).localname, "namespace": namespace or "-"}
        )
    ns = {"c": namespace}
    errors: list[str] = []
    rows: list[BankRow] = []
    notifications = root.findall("c:BkToCstmrDbtCdtNtfctn/c:Ntfctn", ns)
    if not notifications:
        raise ValidationError(
            _("%(where)s: the document has no notification (BkToCstmrDbtCdtNtfctn/Ntfctn).") % {"where": _where(root)}
        )
    for notification in notifications:
        account = _camt_account(notification, ns, errors)
        for entry in notification.findall("c:Ntry", ns):
            rows.extend(_camt_entry_rows(entry, account or "", ns, errors))
        if len(errors) >= max_errors:
            break
    if errors:
        raise ValidationError(errors[:max_errors])
    if not rows:
        raise ValidationError(_("The file has no payments."))
    return rows


def _camt_account(notification: Any, ns: dict[str, str], errors: list[str]) -> str | None:
    identification = notification.find("c:Acct/c:Id", ns)
    if identification is None:
        errors.append(_("%(where)s: the notification names no account (Acct/Id).") % {"where": _where(notification)})
        return None
    iban = identification.findtext("c:IBAN", default="", namespaces=ns).replace(" ", "")
    other = identification.findtext("c:Othr/c:Id", default="", namespaces=ns).replace(" ", "").replace(".", "")
    # A Norwegian IBAN is NO, two check digits and the 11-digit account number.
    account = (iban[4:] if iban.upper().startswith("NO") else iban) if iban else other
    if not (account.isascii() and account.isdigit() and len(account) == 11):
        errors.append(
            _("%(where)s: %(value)r is not a Norwegian account number.")
            % {"where": _where(identification), "value": iban or other}
        )
        return None
    return account


def _camt_amount(element: Any, errors: list[str]) -> Decimal | None:
    text = (element.text or "").strip()
    try:
        amount = Decimal(text)
        exponent = amount.as_tuple().exponent
        if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2:
            raise InvalidOperation(text)
    except InvalidOperation:
        errors.append(
            _("%(where)s: %(value)r is not an amount in kroner and øre.") % {"where": _where(element), "value": text}
        )
        return None
    currency = element.get("Ccy", "")
    if currency != "NOK":
        errors.append(
            _("%(where)s: the amount is in %(currency)s; the portal invoices in NOK.")
            % {"where": _where(element), "currency": currency or "-"}
        )
        return None
    problem = _amount_problem(_where(element), amount)
    if problem:
        errors.append(problem)
        return None
    return amount


def _camt_date(entry: Any, ns: dict[str, str], errors: list[str]) -> date | None:
    booked = entry.find("c:BookgDt", ns)
    if booked is None:
        errors.append(_("%(where)s: the entry has no booking date (BookgDt).") % {"where": _where(entry)})
        return None
    text = (booked.findtext("c:Dt", default="", namespaces=ns) or booked.findtext("c:DtTm", default="", namespaces=ns))[
        :10
    ]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append(_("%(where)s: %(value)r is not a date.") % {"where": _where(booked), "value": text})
        return None
    problem = _date_problem(_where(booked), day)
    if problem:
        errors.append(problem)
        return None
    return day


def _camt_entry_rows(entry: Any, account: str, ns: dict[str, str], errors: list[str]) -> list[BankRow]:
    # 001.02 and 001.04 give the status as a code, 001.08 inside Sts/Cd.
    status = (entry.findtext("c:Sts/c:Cd", namespaces=ns) or entry.findtext("c:Sts", default="", namespaces=ns)).strip()
    credit = entry.findtext("c:CdtDbtInd", default="", namespaces=ns).strip()
    reversal = entry.findtext("c:RvslInd", default="false", namespaces=ns).strip().lower() in ("true", "1")
    not_payment = credit != "CRDT" or reversal or status != "BOOK"
    entry_amount_element = entry.find("c:Amt", ns)
    if entry_amount_element is None:
        errors.append(_("%(where)s: the entry has no amount (Amt).") % {"where": _where(entry)})
        return []
    entry_amount = _camt_amount(entry_amount_element, errors)
    booked_on = _camt_date(entry, ns, errors)
    entry_reference = entry.findtext("c:AcctSvcrRef", default="", namespaces=ns).strip()
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    if not details:
        errors.append(
            _("%(where)s: the entry has no transaction details (NtryDtls/TxDtls).") % {"where": _where(entry)}
        )
        return []
    rows: list[BankRow] = []
    total = Decimal(0)
    for detail in details:
        amount_element = detail.find("c:Amt", ns)
        if amount_element is None:
            amount_element = detail.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
        if amount_element is None:
            amount_element = detail.find("c:AmtDtls/c:InstdAmt/c:Amt", ns)
        if amount_element is None and len(details) == 1:
            amount_element = entry_amount_element
        if amount_element is None:
            errors.append(_("%(where)s: the transaction has no amount.") % {"where": _where(detail)})
            continue
        amount = entry_amount if amount_element is entry_amount_element else _camt_amount(amount_element, errors)
        kid = ""
        for reference in detail.findall("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns):
            kid = (reference.text or "").strip()
            if not (kid.isascii() and kid.isdigit()) or len(kid) > LONGEST_KID:
                errors.append(
                    _("%(where)s: %(value)r is not a KID (digits only, at most %(longest)d).")
                    % {"where": _where(reference), "value": kid, "longest": LONGEST_KID}
                )
                kid = "invalid"
            break
        bank_reference = detail.findtext("c:Refs/c:AcctSvcrRef", default="", namespaces=ns).strip() or entry_reference
        if len(bank_reference) > LONGEST_REFERENCE:
            errors.append(
                _("%(where)s: the bank's reference has more than %(longest)d characters.")
                % {"where": _where(detail), "longest": LONGEST_REFERENCE}
            )
            continue
        if amount is None or booked_on is None or kid == "invalid":
            continue
        total += amount
        rows.append(
            BankRow(
                detail.sourceline or 0,
                booked_on,
                amount,
                kid,
                bank_reference,
                account=account,
                not_payment=not_payment,
            )
        )
    if entry_amount is not None and len(rows) == len(details) and total != entry_amount:
        errors.append(
            _("%(where)s: the transactions add up to %(total)s, but the entry's amount is %(amount)s.")
            % {"where": _where(entry), "total": total, "amount": entry_amount}
        )
    return rows
