"""Unit tests of the chaos Python SDK (a package so test module names cannot clash)."""
