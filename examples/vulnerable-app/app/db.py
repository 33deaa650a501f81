"""Order storage on SQLite."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer TEXT NOT NULL,
    item TEXT NOT NULL,
    quantity INTEGER NOT NULL
)
"""


@dataclass(frozen=True)
class Order:
    id: int
    customer: str
    item: str
    quantity: int


def connect(path: str = ":memory:") -> sqlite3.Connection:
    """Open the database at ``path`` and make sure the orders table exists."""
    connection = sqlite3.connect(path)
    connection.execute(SCHEMA)
    return connection


def add_order(connection: sqlite3.Connection, customer: str, item: str, quantity: int) -> int:
    """Store one order and return its id."""
    cursor = connection.execute(
        "INSERT INTO orders (customer, item, quantity) VALUES (?, ?, ?)",
        (customer, item, quantity),
    )
    connection.commit()
    if cursor.lastrowid is None:
        raise RuntimeError("SQLite did not report the new order's id")
    return cursor.lastrowid


def orders_for(connection: sqlite3.Connection, customer: str) -> list[Order]:
    """Every order of ``customer``, oldest first."""
    # VULNERABLE (CWE-89): the customer name is pasted into the SQL text.
    query = f"SELECT * FROM orders WHERE customer = '{customer}' ORDER BY id"
    rows = connection.execute(query).fetchall()
    return [Order(*row) for row in rows]
