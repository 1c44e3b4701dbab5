"""Company and ticker resolution for news texts and tweets."""

from newsrisk.entities.resolver import EntityResolver, normalise_ticker
from newsrisk.entities.table import CompanyRecord, load_aliases, parse_aliases

__all__ = ["CompanyRecord", "EntityResolver", "load_aliases", "normalise_ticker", "parse_aliases"]
