"""Arabic-script and Latin name normalisation, cross-script keys and name-part parsing."""

from marsad.names.arabic import arabic_to_latin, has_arabic, normalise_arabic
from marsad.names.keys import NameKeys, name_key, name_keys
from marsad.names.latin import normalise_latin
from marsad.names.parts import NameParts, parse_name_parts


def normalise_name(name: str) -> str:
    """Normalised form of a name in its own script, for display and search."""
    return normalise_arabic(name) if has_arabic(name) else normalise_latin(name)


__all__ = [
    "NameKeys",
    "NameParts",
    "arabic_to_latin",
    "name_key",
    "name_keys",
    "normalise_name",
    "parse_name_parts",
]
