"""On PostgreSQL, refuse a document whose issue date runs against the number order of its series."""

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
"""

BACKWARD = """
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
