"""The test suite (a package, so that its conftest.py and notebooks/conftest.py import under different names)."""
