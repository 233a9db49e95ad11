"""Pseudonymization engine: code key, suggestions and consistent replacement (no Flask here)."""
