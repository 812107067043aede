"""What staff read: the moderators' screens (the audit log in words, the announcements
list and detail, the report on an uploaded document, names and local times), built apart
from the handlers that show them, as `bot.cards` is for users."""
