"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit."""
