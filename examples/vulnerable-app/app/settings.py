"""Service settings."""

from __future__ import annotations

DATABASE_PATH = "orders.db"
LISTEN_PORT = 8080
RATES_URL = "https://rates.example.com/v1/latest.json"

# VULNERABLE (CWE-798): a credential in source code ends up in every clone,
# backup and CI log. The value is fake.
API_TOKEN = "pearl-demo-token-0000-not-a-real-secret"
