"""On PostgreSQL, refuse a document whose issue date runs against the number order of its series, and a
reminder sent before the invoice (or its last reminder) fell due or giving a due date before the invoice's."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION funding_invoice_issue_date_order() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM funding_invoice
        WHERE series = NEW.series AND id IS DISTINCT FROM NEW.id
          AND ((number < NEW.number AND issue_date > NEW.issue_date)
            OR (number > NEW.number AND issue_date < NEW.issue_date))
    ) THEN
        RAISE EXCEPTION 'the issue date % of number % runs against the number order of series %',
            NEW.issue_date, NEW.number, NEW.series;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_invoice_issue_date_order
    BEFORE INSERT OR UPDATE OF series, number, issue_date ON funding_invoice
    FOR EACH ROW EXECUTE FUNCTION funding_invoice_issue_date_order();

CREATE OR REPLACE FUNCTION funding_reminder_after_due_date() RETURNS trigger AS $$
DECLARE
    original date;
    due date;
BEGIN
    SELECT i.due_date, GREATEST(i.due_date, MAX(r.new_due_date)) INTO original, due
        FROM funding_invoice i LEFT JOIN funding_reminder r ON r.invoice_id = i.id AND r.id IS DISTINCT FROM NEW.id
        WHERE i.id = NEW.invoice_id GROUP BY i.id, i.due_date;
    IF original IS NULL OR NEW.new_due_date < original THEN
        RAISE EXCEPTION 'a reminder''s new due date % is before the invoice''s due date %', NEW.new_due_date, original;
    END IF;
    IF (NEW.sent_at AT TIME ZONE 'Europe/Oslo')::date <= due THEN
        RAISE EXCEPTION 'a reminder cannot be sent before the invoice falls due (%)', due;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_reminder_after_due_date
    BEFORE INSERT OR UPDATE ON funding_reminder
    FOR EACH ROW EXECUTE FUNCTION funding_reminder_after_due_date();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS funding_reminder_after_due_date ON funding_reminder;
DROP FUNCTION IF EXISTS funding_reminder_after_due_date();
DROP TRIGGER IF EXISTS funding_invoice_issue_date_order ON funding_invoice;
DROP FUNCTION IF EXISTS funding_invoice_issue_date_order();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("funding", "0004_adopted_in_case")]

    operations = [migrations.RunPython(forward, backward)]
