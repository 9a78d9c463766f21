"""Reading source files into raw rows and records: readers, mapping profiles, value parsers."""
