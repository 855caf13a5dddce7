"""The REST API's root URLconf (``urls``), included under /api/v1/; its shared parts (one error
shape, bounded parsing, limits, the schema) are in ``common.api``."""
