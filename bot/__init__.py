"""Dostyq: a trilingual Telegram bot about the shared heritage of Russia and Kazakhstan."""

__version__ = "0.1.0"
