"""The demo help desk of `seed_demo` and `make run`."""
