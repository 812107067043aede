"""Middlewares: the user row, the locale, throttling."""
