"""What the editorial work tells the apps built on it, which it does not import: they connect
their receivers in their ``AppConfig.ready``."""

from django.dispatch import Signal

#: Sent with ``issue`` when an issue is published, within the transaction that publishes it: a
#: receiver defers what it does outside the database to the commit (``transaction.on_commit``),
#: as the newsletter does, so that nothing is mailed for a publication rolled back.
issue_published = Signal()

#: Sent with ``issue`` and ``correction`` when a published issue is corrected, within the
#: transaction that records the correction; receivers defer their work to the commit as above.
issue_corrected = Signal()
