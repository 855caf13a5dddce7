"""The shared kernel: what every app uses (links, mail, the queue helper, retries, request limits,
logging, health, the cache, the domain error types and the API's base parts).

It imports no app and not the project package ``weekly``: the apps depend on it, never the
other way round.
"""
