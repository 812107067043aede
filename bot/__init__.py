"""Dostyq: a trilingual Telegram bot about the shared heritage of Russia and Kazakhstan."""

from bot import lazy_types

__version__ = "0.1.0"

lazy_types.install()  # before anything imports aiogram: its types are validated lazily
