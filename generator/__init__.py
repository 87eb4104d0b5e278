"""clinic-pages: honest local landing pages for a clinic, from YAML to a checked static site."""

__version__ = "0.1.0"
