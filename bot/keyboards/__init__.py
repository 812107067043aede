"""Keyboard builders and every CallbackData factory (ids only, never titles)."""
