"""Helpers shared by the tests: users, rows, trained agents, workers, servers.

Fixtures live in the `conftest.py` files; what a test imports lives here.
"""
