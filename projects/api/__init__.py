"""The API for other systems (``/api/v1/``): the province's platform, the city's data-sharing
platform, leaders' screens and departments that send their own figures.

- ``models``: API clients (token stored hashed, scope, expiry, rate limit, address allow-list)
  and the idempotency keys of their writes.
- ``services``: creating a client and its token, the figures a client writes.
- ``authentication``, ``permissions``, ``throttling``: who calls, what the scope lets it do, how often.
- ``serializers``: the shapes (the JSON contracts of ``export_plan``, ``export_figures`` and
  ``scan --json`` where one exists), ``filters`` the query parameters, ``views`` the endpoints.

docs/api.md is the user's guide.
"""
