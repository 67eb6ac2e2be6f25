"""Custom components (lets tests import the integration as a package)."""
