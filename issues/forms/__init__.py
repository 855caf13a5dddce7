"""The editorial app's forms, one module per audience, as ``issues.views``.

- ``base``: the plain-text field and ``add_workflow_error``, shared by the others.
- ``recommendations``, ``review``, ``editor``, ``metadata``: the forms of those pages.
"""
