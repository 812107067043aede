"""Persistence: one aiosqlite connection per process, migrations, repositories."""
