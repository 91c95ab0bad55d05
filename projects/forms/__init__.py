"""Forms: they turn what people type into values; the rules live in services."""
