"""Secret providers (password managers and secret stores holding sops keys)."""
