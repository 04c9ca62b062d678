# The trigger that keeps issued invoices unchanged also covers the service order and one-off model an invoice is
# for; an invoiced service order is never edited nor deleted (it returns to delivered only when its invoice is
# credited, and then only its status changes).

from django.db import migrations

from funding.migrations._invoice_trigger import WITH_SETTLEMENT_SHARE_COLUMNS

INVOICE_COLUMNS = (
    *WITH_SETTLEMENT_SHARE_COLUMNS[:7],
    "service_order_id",
    "one_off_model_id",
    *WITH_SETTLEMENT_SHARE_COLUMNS[7:],
)


def _invoice_function(columns) -> str:
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    return f"""
CREATE OR REPLACE FUNCTION funding_invoice_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be deleted; issue a credit note', OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' THEN
        IF ({new}) IS DISTINCT FROM ({old}) THEN
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
"""


ORDER_TRIGGER = """
CREATE OR REPLACE FUNCTION funding_serviceorder_invoiced() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'invoiced' THEN
            RAISE EXCEPTION 'service order % is invoiced and cannot be deleted', OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'invoiced' THEN
        IF (NEW.service_id, NEW.organisation_id, NEW.unit, NEW.unit_price, NEW.quantity, NEW.description,
            NEW.agreed_at, NEW.delivered_quantity, NEW.delivered_on)
           IS DISTINCT FROM (OLD.service_id, OLD.organisation_id, OLD.unit, OLD.unit_price, OLD.quantity,
            OLD.description, OLD.agreed_at, OLD.delivered_quantity, OLD.delivered_on)
           OR NEW.status NOT IN ('invoiced', 'delivered') THEN
            RAISE EXCEPTION 'service order % is invoiced and cannot be changed; credit its invoice', OLD.id;
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_serviceorder_invoiced
BEFORE UPDATE OR DELETE ON funding_serviceorder
FOR EACH ROW EXECUTE FUNCTION funding_serviceorder_invoiced();
"""
DROP_ORDER_TRIGGER = """
DROP TRIGGER IF EXISTS funding_serviceorder_invoiced ON funding_serviceorder;
DROP FUNCTION IF EXISTS funding_serviceorder_invoiced();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("funding", "0013_service_orders_and_one_off_contributions")]

    operations = [
        migrations.RunPython(_run(_invoice_function(INVOICE_COLUMNS)), _run(_invoice_function(WITH_SETTLEMENT_SHARE_COLUMNS))),
        migrations.RunPython(_run(ORDER_TRIGGER), _run(DROP_ORDER_TRIGGER)),
    ]
