"""Persistence: the database (SQLite or PostgreSQL through SQLAlchemy), its Alembic
migrations, and the repositories."""
