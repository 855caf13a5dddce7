"""The inbox's pages, one module per side: ``inbox`` (the members' tabs and their actions) and
``watches`` (the editors' watches and inbox settings). Thin: each finds the publication and the
candidate, checks the capability, calls one selector or service, and shows a service's refusal
as a message or a form error, never as an error page.

Every page is the member's own (``never_cache``: ``Cache-Control: private, no-store``), never
kept by a shared cache, left out of the sitemap and disallowed in robots.txt."""
