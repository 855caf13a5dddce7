"""PostgreSQL for Django, with the connection health check where it buys something
(``common.database.base``): set as the ``ENGINE`` of a PostgreSQL ``DATABASE_URL``."""
