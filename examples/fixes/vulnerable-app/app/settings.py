"""Service settings."""

from __future__ import annotations

import os

DATABASE_PATH = "orders.db"
LISTEN_PORT = 8080
RATES_URL = "https://rates.example.com/v1/latest.json"

# FIXED (CWE-798): the token comes from the environment (a secret store in
# production). Empty means unset, and the service then refuses every request.
API_TOKEN = os.environ.get("ORDERS_API_TOKEN", "")
