"""Member development adapters (发展党员): this package is the context's public module."""
