"""django-filter FilterSets, one module per part of the domain."""
