"""HTTP endpoints of member development (发展党员)."""
