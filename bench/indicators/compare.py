#!/usr/bin/env python3
"""Compares onechild's indicator cells with the same cells computed by SQL.

    compare.py [--indicators ID,ID,...] ONECHILD.csv NAME=SQL.csv [NAME=SQL.csv ...]

ONECHILD.csv is `onechild indicators --out` (its columns indicator,
period_end, breakdown, group, numerator, denominator, suppressed are read;
the slope index of inequality rows, a statistic, are skipped);
each SQL.csv has indicator, period (the period's last day), breakdown, group,
numerator, denominator. Only the indicators the SQL computes are compared;
with --indicators, exactly those, and every one must be on both sides.

For every cell onechild publishes, and every cell the SQL produces:
  - the same cells must exist on both sides;
  - denominators must be equal;
  - numerators must be equal where onechild shows them; where onechild
    hides one (suppressed "primary"), the SQL count must be in 1-7 (the
    indicators compared all use the default rule); "secondary" cells are
    hidden to protect another, so any count is consistent.
Exits 1 on any mismatch, printing the first few.
"""
import csv
import sys

SHOW = 10  # mismatches printed per result set


def read_onechild(path):
    cells = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["method"] == "slope-index-of-inequality":
                continue  # a statistic across the IMD deciles, not a cell
            key = (r["indicator"], r["period_end"], r["breakdown"], r["group"])
            cells[key] = (r["numerator"], r["denominator"], r["suppressed"])
    return cells


def read_sql(path):
    cells = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["indicator"], r["period"], r["breakdown"], r["group"])
            if key in cells:
                raise SystemExit(f"compare: {path}: cell {key} appears twice")
            cells[key] = (int(r["numerator"]), int(r["denominator"]))
    return cells


def compare(engine, sql, wanted):
    """Returns (counts, problems)."""
    indicators = wanted or {k[0] for k in sql}
    mine = {k: v for k, v in engine.items() if k[0] in indicators}
    sql = {k: v for k, v in sql.items() if k[0] in indicators}
    counts = {"cells": 0, "numerators": 0, "primary": 0, "secondary": 0}
    problems = []
    for side, cells in (("onechild", mine), ("the SQL", sql)):
        for missing in sorted(indicators - {k[0] for k in cells}):
            problems.append(f"{missing}: no cells from {side}")
    for key in sorted(mine.keys() | sql.keys()):
        if key not in sql:
            problems.append(f"{'/'.join(key)}: onechild has it, the SQL does not "
                            f"(onechild {mine[key][0] or 'hidden'}/{mine[key][1]})")
            continue
        if key not in mine:
            problems.append(f"{'/'.join(key)}: the SQL has it ({sql[key][0]}/{sql[key][1]}), "
                            "onechild does not")
            continue
        num, den, suppressed = mine[key]
        sql_num, sql_den = sql[key]
        counts["cells"] += 1
        if den != "" and int(den) != sql_den:
            problems.append(f"{'/'.join(key)}: denominator onechild {den}, SQL {sql_den}")
            continue
        if suppressed == "":
            counts["numerators"] += 1
            if int(num) != sql_num:
                problems.append(f"{'/'.join(key)}: numerator onechild {num}, SQL {sql_num}")
        elif suppressed == "primary":
            counts["primary"] += 1
            if not 1 <= sql_num <= 7:
                problems.append(f"{'/'.join(key)}: onechild hides the numerator as 1-7, "
                                f"SQL has {sql_num}")
        else:
            counts["secondary"] += 1
    return counts, problems


def main(argv):
    wanted = set()
    if len(argv) > 2 and argv[1] == "--indicators":
        wanted = set(argv[2].split(","))
        argv = argv[:1] + argv[3:]
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        raise SystemExit(__doc__)
    engine = read_onechild(argv[1])
    failed = False
    for arg in argv[2:]:
        name, path = arg.split("=", 1)
        counts, problems = compare(engine, read_sql(path), wanted)
        print(f"onechild vs {name}: {counts['cells']} cells compared (every denominator; "
              f"{counts['numerators']} numerators shown, {counts['primary']} hidden as 1-7, "
              f"{counts['secondary']} hidden to protect others): {len(problems)} mismatches")
        for p in problems[:SHOW]:
            print(f"  {p}")
        if len(problems) > SHOW:
            print(f"  ... and {len(problems) - SHOW} more")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
