"""What the recommendation workflow tells the apps built on it, which it does not import: they
connect their receivers in their ``AppConfig.ready``.

Both are sent within the transaction that records the change: a receiver defers what it does
outside the database to the commit (``transaction.on_commit``), so that nothing is mailed for a
change rolled back.
"""

from django.dispatch import Signal

#: Sent with ``review`` when a reviewer has judged a recommendation.
recommendation_reviewed = Signal()

#: Sent with ``recommendation`` when an editor accepted it without waiting for more reviews.
recommendation_accepted = Signal()

#: Sent with ``transition`` (its audit row, naming the changes) when the publication's team edited
#: what a recommendation's entry will show.
recommendation_revised = Signal()
