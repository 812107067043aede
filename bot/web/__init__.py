"""The bot's HTTP side: the webhook Telegram posts updates to (and, later, health and
metrics). Built in factories, like the dispatcher; nothing runs at import time."""
