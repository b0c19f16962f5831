"""The sandbox web chat's page, script and styles (package data)."""
