"""Number the review rounds that already happened.

Until now a round was "the reviews since the last submission": each resubmission after requested
changes began a new one. So a recommendation's round is 1 plus its resubmissions, and a review's
round is 1 plus the resubmissions before it. Reversing leaves nothing to undo: the schema
migration drops the columns.
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def number_rounds(apps, schema_editor):
    Recommendation = apps.get_model("issues", "Recommendation")
    Review = apps.get_model("issues", "Review")
    Transition = apps.get_model("issues", "Transition")
    resubmissions = Transition.objects.filter(action="submit", from_status="changes_requested")

    def counted(rows):
        return Subquery(
            rows.order_by().values("recommendation_id").annotate(n=Count("pk")).values("n")
        )

    Recommendation.objects.update(
        review_round=Coalesce(counted(resubmissions.filter(recommendation=OuterRef("pk"))), 0)
        + Value(1)
    )
    Review.objects.update(
        round=Coalesce(
            counted(
                resubmissions.filter(
                    recommendation=OuterRef("recommendation_id"),
                    created_at__lt=OuterRef("created_at"),
                )
            ),
            0,
        )
        + Value(1)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0004_review_rounds"),
    ]

    operations = [
        migrations.RunPython(number_rounds, migrations.RunPython.noop),
    ]
