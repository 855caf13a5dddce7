"""Write what published issues show of each paper already featured (PostgreSQL only).

Each featured paper's ``search_extra`` is written once, so the catalogue's trigger rebuilds its
search document once, now from its own texts and this part; the documents of the other papers
hold nothing of this app and stay as they are. Backwards there is nothing to undo: 0006's
reversal restores the catalogue's old triggers, and the column goes with papers 0009's.
"""

from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        SELECT issues_refresh_search_extra(ARRAY(
            SELECT DISTINCT e.paper_id FROM issues_issueentry e
              JOIN issues_issue i ON i.id = e.issue_id
             WHERE i.status = 'published' AND e.paper_id IS NOT NULL))
        """,
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0006_paper_search_extra"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
