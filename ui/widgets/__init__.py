"""Reusable widgets: the page image view, the locked-down text browser, rich-text delegate."""
