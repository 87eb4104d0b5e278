"""Editing the data files without a text editor: converting between YAML and spreadsheets, and the form of the
preview (`clinic-pages serve`)."""
