"""Helpers the tests import by name; fixtures stay in conftest.py."""
