"""Large-fixture tests (the `slow` tier)."""
