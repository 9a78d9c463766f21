"""Marsad: casualty recording for human-rights monitors."""

__version__ = "0.1.0"
