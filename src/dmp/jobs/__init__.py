"""Scheduled work, run by ``dmp worker``: every job is idempotent and safe to run twice."""
