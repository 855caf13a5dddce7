"""The REST API's shared parts: one error shape, bounded parsing, limits, the schema.

Referenced from ``REST_FRAMEWORK`` in the settings and included under /api/v1/ by ``urls``.
"""
