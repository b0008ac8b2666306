"""The `/api/v1/` views of tickets: thin, one per operation, calling selectors and services."""
