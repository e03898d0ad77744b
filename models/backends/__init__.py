"""One module per model backend; each registers a BackendKind in ``models.BACKENDS``."""
