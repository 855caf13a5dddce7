"""The editorial app's URLs: one module per namespace, included by the project's root URLs.

- ``reader``: ``issues`` (the readers' pages, feeds, exports, paper metadata).
- ``recommendations``: ``recommendations`` (a member's recommendations).
- ``review``: ``review`` (the review queue, reviews, acceptance).
- ``editor``: ``editor`` (building, publishing and correcting issues).
"""
