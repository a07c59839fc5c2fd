"""Baseline: Python's csv module and sqlite3, one transaction, the reference pipeline's rules."""
import csv
import datetime
import glob
import gzip
import os
import re
import sqlite3
import sys

root, database = sys.argv[1], sys.argv[2]
COLUMNS = ["order_id", "sku", "product_name", "category", "quantity", "unit_price",
           "currency", "order_date", "updated_at", "in_stock", "notes"]
CATEGORIES = {"tools", "garden", "kitchen", "toys", "office", "sports"}
CURRENCIES = {"EUR", "USD", "GBP"}
DECIMAL = re.compile(r"^-?\d{1,10}(\.\d{1,2})?$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
BOOLEANS = {"true": 1, "t": 1, "yes": 1, "y": 1, "1": 1, "false": 0, "f": 0, "no": 0, "n": 0, "0": 0}


def validate(r):
    oid = int(r["order_id"])
    if oid < 1:
        raise ValueError("order_id")
    if len(r["sku"]) != 10 or not r["product_name"] or len(r["product_name"]) > 120:
        raise ValueError("sku/name")
    if r["category"] and r["category"] not in CATEGORIES:
        raise ValueError("category")
    quantity = int(r["quantity"])
    if not 0 <= quantity <= 100000:
        raise ValueError("quantity")
    if not DECIMAL.match(r["unit_price"]) or float(r["unit_price"]) < 0:
        raise ValueError("price")
    if r["currency"] not in CURRENCIES:
        raise ValueError("currency")
    datetime.date.fromisoformat(r["order_date"])
    if r["updated_at"] and not TIMESTAMP.match(r["updated_at"]):
        raise ValueError("updated_at")
    stock = BOOLEANS[r["in_stock"].lower()] if r["in_stock"] else None
    if len(r["notes"]) > 500:
        raise ValueError("notes")
    return (oid, r["sku"], r["product_name"].strip(), r["category"].lower(), quantity, float(r["unit_price"]),
            r["currency"], r["order_date"], r["updated_at"] or None, stock, r["notes"].strip(), "supplier-nightly")


db = sqlite3.connect(database)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE staging (order_id INTEGER, sku TEXT, product_name TEXT, category TEXT, quantity INTEGER, "
           "price REAL, currency TEXT, order_date TEXT, updated_at TEXT, in_stock INTEGER, notes TEXT, feed TEXT, "
           "_supplier TEXT, _file TEXT, _row INTEGER)")
db.execute("CREATE TABLE quarantine (supplier TEXT, file TEXT, row INTEGER, reason TEXT)")
with db:
    for path in sorted(glob.glob(os.path.join(root, "*", "*.csv*"))):
        supplier, name = path.split(os.sep)[-2:]
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            good, bad = [], []
            for number, row in enumerate(csv.DictReader(handle), start=1):
                try:
                    good.append(validate(row) + (supplier, name, number))
                except (ValueError, KeyError) as error:
                    bad.append((supplier, name, number, str(error)))
            db.executemany("INSERT INTO staging VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", good)
            db.executemany("INSERT INTO quarantine VALUES (?,?,?,?)", bad)
