"""Benchmark: loading the merged gazetteer (places.toml + GeoNames cities).

Each measurement runs in a fresh subprocess, because the load is cached once per
process: the time to read the GeoNames cities, the time to build the merged
gazetteer on top (name index included), the resident memory before and after and
the peak (ru_maxrss), and one `find` over a paragraph. Median of N runs.

Run: .venv/bin/python bench/gazetteer.py [--quick]
Last line: {"cities", "kz", "ru", "names", "read_s", "merge_s", "rss_before_mb",
            "rss_after_mb", "peak_mb", "find_ms", "runs"}
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, time

def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0

from bot.kb.places import Gazetteer
from bot.kb.sources import load_places
curated = Gazetteer(load_places())
before = rss_mb()
t0 = time.perf_counter()
from bot.kb.geonames import geonames_cities
cities = geonames_cities()
t1 = time.perf_counter()
from bot.kb.gazetteer import with_cities
merged = with_cities(curated)
t2 = time.perf_counter()
text = ("В Москве и Уфе, в Өскеменде и Уральске, in Oskemen and Ekibastuz прошли встречи "
        "делегаций, а Советский район и Сосновка остались в стороне. ") * 5
t3 = time.perf_counter()
merged.find(text)
t4 = time.perf_counter()
print(json.dumps({
    "cities": len(cities),
    "kz": sum(c.country == "KZ" for c in cities),
    "ru": sum(c.country == "RU" for c in cities),
    "names": sum(len(c.variants) + len(c.name) for c in cities),
    "read_s": t1 - t0, "merge_s": t2 - t1,
    "rss_before_mb": before, "rss_after_mb": rss_mb(),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "find_ms": (t4 - t3) * 1000,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run instead of five")
    args = parser.parse_args()
    runs = []
    for _ in range(1 if args.quick else 5):
        out = subprocess.run(
            [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.splitlines()[-1]))
    result = {key: runs[0][key] for key in ("cities", "kz", "ru", "names")}
    for key in ("read_s", "merge_s", "rss_before_mb", "rss_after_mb", "peak_mb", "find_ms"):
        result[key] = round(statistics.median(r[key] for r in runs), 3)
    result["runs"] = len(runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
