"""Stand-ins for six password-manager CLIs, for the end-to-end tests (see README.md)."""
