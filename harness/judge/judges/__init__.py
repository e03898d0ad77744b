"""Judge implementations; every module here registers itself in ``JUDGES``."""
