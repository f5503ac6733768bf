"""A chaos boat that reads fleet hosts from a file or from a command's JSON output."""
