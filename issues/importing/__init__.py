"""Past issues brought in from their published text.

``parser`` reads a text (the digest's plain-text layout as blogs and WeChat show it, or the site's
own Markdown export) into a ``ParsedIssue``: pure, no database, so a dry run costs nothing and
says what it understood. ``issues.services.importing`` writes it, in one transaction.
"""
