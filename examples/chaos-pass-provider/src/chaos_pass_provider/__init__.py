"""A chaos secret provider backed by pass (https://www.passwordstore.org/)."""
