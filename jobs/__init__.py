"""Scheduled jobs: the scheduler set-up and one module per job."""
