"""Alembic migrations for vicechat's schema. HEAD_REVISION lets start-up skip alembic."""

HEAD_REVISION = "0002"
