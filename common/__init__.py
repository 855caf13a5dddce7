"""The shared kernel: what every app uses (links, mail, the queue helper, retries, request limits,
logging, health, the cache, the domain error types and the API's base parts).

It imports no app and not the project package ``weekly``: the apps depend on it, never the
other way round.

Its loggers keep the names ``weekly.request``, ``weekly.task``, ``weekly.cache``,
``weekly.health`` and ``weekly.queue``: operators filter the logs on them, and they name the site,
not a module. The pages it renders (``400.html``, ``request_refused.html``) are templates of the
site's layout, which the project keeps with the rest of it in ``weekly/templates``.
"""
