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

#: Sent with ``transition`` (the recommendation's audit row) when a recommendation joins the
#: entry of another member's recommendation of the same paper, as its co-recommendation: its
#: submitter is told they are credited there.
recommendation_co_credited = Signal()
