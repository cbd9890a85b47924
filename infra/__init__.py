"""Adapters: database, storage, crypto, payment providers, jobs, settings."""
