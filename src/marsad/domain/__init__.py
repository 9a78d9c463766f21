"""Plain data types shared by the pipeline stages; no I/O here."""
