from app import db


def test_orders_for_returns_only_that_customers_orders_oldest_first() -> None:
    connection = db.connect()
    first = db.add_order(connection, "alice", "teapot", 1)
    db.add_order(connection, "bob", "kettle", 2)
    second = db.add_order(connection, "alice", "cups", 6)

    found = db.orders_for(connection, "alice")

    assert found == [
        db.Order(first, "alice", "teapot", 1),
        db.Order(second, "alice", "cups", 6),
    ]


def test_orders_for_an_unknown_customer_is_empty() -> None:
    connection = db.connect()
    db.add_order(connection, "alice", "teapot", 1)

    assert db.orders_for(connection, "carol") == []
