"""The candidate inbox's writes: the only code that changes its rows.

Every change of a candidate's state is one compare-and-set UPDATE on the state it starts from
(``_workflow.move_candidate``), so two members acting at once get one success and one clear
refusal, and writes one ``CandidateTransition``. The services check the capability themselves
(the workers' sweeps, acting for nobody, have none to check) and own their transactions.

- ``candidates``: found by a poll (``add_candidates``), claimed, released, dismissed, restored,
  expired, members' interest, and written up (``write_up``).
- ``watches``: the editors' watches and the inbox's settings per publication.
- ``digest``: the members' subscriptions to the weekly digest.

The public services are re-exported here, so callers write ``services.claim_candidate(...)``.
"""

from inbox.services.candidates import (
    DISMISS_REASON_MAX_LENGTH,
    add_candidates,
    claim_candidate,
    dismiss_candidate,
    expire_candidates,
    mark_interest,
    release_claim,
    release_stale_claims,
    restore_candidate,
    summary_needed,
    withdraw_interest,
    write_up,
)
from inbox.services.digest import subscribe_digest, unsubscribe_digest
from inbox.services.watches import (
    clean_categories,
    clean_query,
    delete_watch,
    save_watch,
    settings_for,
    update_inbox_settings,
)

__all__ = [
    "DISMISS_REASON_MAX_LENGTH",
    "add_candidates",
    "claim_candidate",
    "clean_categories",
    "clean_query",
    "delete_watch",
    "dismiss_candidate",
    "expire_candidates",
    "mark_interest",
    "release_claim",
    "release_stale_claims",
    "restore_candidate",
    "save_watch",
    "settings_for",
    "subscribe_digest",
    "summary_needed",
    "unsubscribe_digest",
    "update_inbox_settings",
    "withdraw_interest",
    "write_up",
]
