"""The editorial app's pages, one module per audience.

- ``reader``: publications, issues, topics, members' pages, exports (namespace ``issues``).
- ``statistics``: the statistics pages, a publication's and the site's, and the contributor
  index (``issues``).
- ``recommendations``: a member recommends and follows their recommendations (``recommendations``).
- ``review``: the review queue, reviews and acceptance (``review``).
- ``editor``: building, publishing and correcting issues (``editor``).
- ``metadata``: a paper's metadata fetched again or entered by hand (``issues``).
"""
