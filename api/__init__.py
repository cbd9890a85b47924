"""HTTP layer: the Litestar app, controllers per bounded context, auth, errors."""
