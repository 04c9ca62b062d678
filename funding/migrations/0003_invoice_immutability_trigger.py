"""On PostgreSQL, refuse any change to an issued invoice or its lines, whatever path the write takes."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION funding_invoice_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be deleted; issue a credit note', OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' THEN
        IF (NEW.kind, NEW.series, NEW.number, NEW.organisation_id, NEW.contribution_id, NEW.credited_invoice_id, NEW.year, NEW.issue_date, NEW.due_date, NEW.period_start, NEW.period_end, NEW.seller_name, NEW.seller_legal_name, NEW.seller_org_number, NEW.seller_in_foretaksregisteret, NEW.seller_address, NEW.seller_email, NEW.seller_bank_account, NEW.vat_exemption_reason, NEW.buyer_name, NEW.buyer_org_number, NEW.buyer_address, NEW.buyer_reference, NEW.buyer_endpoint, NEW.kid, NEW.total, NEW.currency, NEW.note) IS DISTINCT FROM (OLD.kind, OLD.series, OLD.number, OLD.organisation_id, OLD.contribution_id, OLD.credited_invoice_id, OLD.year, OLD.issue_date, OLD.due_date, OLD.period_start, OLD.period_end, OLD.seller_name, OLD.seller_legal_name, OLD.seller_org_number, OLD.seller_in_foretaksregisteret, OLD.seller_address, OLD.seller_email, OLD.seller_bank_account, OLD.vat_exemption_reason, OLD.buyer_name, OLD.buyer_org_number, OLD.buyer_address, OLD.buyer_reference, OLD.buyer_endpoint, OLD.kid, OLD.total, OLD.currency, OLD.note) THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be changed; issue a credit note', OLD.id;
        END IF;
        IF (OLD.pdf <> '' AND NEW.pdf IS DISTINCT FROM OLD.pdf)
           OR (OLD.pdf_sha256 <> '' AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256)
           OR (OLD.ehf <> '' AND NEW.ehf IS DISTINCT FROM OLD.ehf)
           OR (OLD.ehf_sha256 <> '' AND NEW.ehf_sha256 IS DISTINCT FROM OLD.ehf_sha256) THEN
            RAISE EXCEPTION 'the stored documents of invoice % cannot be replaced', OLD.id;
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_invoice_immutable
    BEFORE UPDATE OR DELETE ON funding_invoice
    FOR EACH ROW EXECUTE FUNCTION funding_invoice_immutable();

CREATE OR REPLACE FUNCTION funding_invoiceline_immutable() RETURNS trigger AS $$
DECLARE
    parent_status varchar;
BEGIN
    SELECT status INTO parent_status FROM funding_invoice
        WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END);
    IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_invoiceline_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON funding_invoiceline
    FOR EACH ROW EXECUTE FUNCTION funding_invoiceline_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS funding_invoiceline_immutable ON funding_invoiceline;
DROP FUNCTION IF EXISTS funding_invoiceline_immutable();
DROP TRIGGER IF EXISTS funding_invoice_immutable ON funding_invoice;
DROP FUNCTION IF EXISTS funding_invoice_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_numberseries_bankimport_invoice_historicalpayment_and_more")]

    operations = [migrations.RunPython(forward, backward)]
