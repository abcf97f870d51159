"""The API contract layer: envelope, JSON shape, error mapping, authentication and ownership, in one place."""
