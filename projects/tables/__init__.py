"""django-tables2 tables, one module per part of the domain."""
