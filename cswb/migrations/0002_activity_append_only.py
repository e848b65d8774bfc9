"""On PostgreSQL the database itself refuses to rewrite or delete activity events, whatever
code asks. (TRUNCATE, used by test isolation, is not a row operation and stays allowed.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cswb_activity_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cswb_activityevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cswb_activity_append_only
    BEFORE UPDATE OR DELETE ON cswb_activityevent
    FOR EACH ROW EXECUTE FUNCTION cswb_activity_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS cswb_activity_append_only ON cswb_activityevent;
DROP FUNCTION IF EXISTS cswb_activity_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cswb", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
