"""Secret backends: providers that hold the keys sops needs (see ``providers.base``)."""
