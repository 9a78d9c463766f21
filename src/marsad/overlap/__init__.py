"""Encoded lists and their linkage between organisations that do not share names.

Each party turns its list into keyed Bloom-filter encodings (`encoding`) under one shared,
versioned schema (`schema`); a linkage unit that holds no secret compares the encodings
(`compare`) and clusters them into persons with the rules of `marsad link` (`persons`). Pure
code: files are read and written by `marsad.services.overlap_file`.
"""
