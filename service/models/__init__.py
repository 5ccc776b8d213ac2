"""Validated request models (pydantic v2). Field titles are the Chinese names used in error messages."""
