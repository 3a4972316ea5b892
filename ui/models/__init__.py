"""ui.models package."""
