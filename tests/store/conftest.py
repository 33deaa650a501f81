"""Store tests use the database fixtures of ``tests/conftest.py`` (``database_url``,
``empty_database_url``, ``engine``, ``store``, ``any_store``, ``clock``)."""
