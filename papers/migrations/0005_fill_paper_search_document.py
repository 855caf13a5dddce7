"""Compute the search document of the papers already there (PostgreSQL only).

Setting the hidden vector to NULL is how the triggers of 0004 mark a paper stale: the paper's
BEFORE UPDATE trigger computes it anew. The column is unknown to the model, hence raw SQL.
"""

from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("UPDATE papers_paper SET search_vector = NULL", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0004_paper_search_document"),
    ]

    operations = [
        # Backwards there is nothing to undo: 0004's reversal drops the column.
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
