"""Zhibu business rules: plain Python, no I/O, one subpackage per bounded context."""
