import gzip
from pathlib import Path

from app import shell


def test_compress_export_writes_a_gzip_beside_the_original(tmp_path: Path) -> None:
    export = tmp_path / "orders-2024-06.csv"
    export.write_text("id,customer,item\n1,alice,teapot\n")

    compressed = shell.compress_export(export)

    assert compressed == tmp_path / "orders-2024-06.csv.gz"
    assert gzip.decompress(compressed.read_bytes()) == export.read_bytes()
