#!/usr/bin/env python3
"""Writes bank-holidays-england.csv: every bank holiday in England and Wales, 2000-2030.

Run from anywhere: `python3 config/reference/make_bank_holidays.py`. The output is
deterministic; the CSV is committed so nothing needs Python at run time.

The standard rules (Banking and Financial Dealings Act 1971 and the royal
proclamations under it), with the one-off changes listed in MOVED and EXTRA.
Years after the last one GOV.UK has announced follow the standard rules only: a
future proclamation (a jubilee, a funeral) must be added here by hand.

Before writing, the script checks its own output for 2018-2027 against the dates
GOV.UK published (https://www.gov.uk/bank-holidays, england-and-wales), held
below in GOV_UK, and stops if they differ.
"""

import datetime as dt
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bank-holidays-england.csv")
FIRST_YEAR, LAST_YEAR = 2000, 2030

MON, SAT, SUN = 0, 5, 6

# Standard holidays moved by proclamation: (year, standard name) -> new date.
MOVED = {
    (2002, "Spring bank holiday"): dt.date(2002, 6, 4),
    (2012, "Spring bank holiday"): dt.date(2012, 6, 4),
    (2020, "Early May bank holiday"): dt.date(2020, 5, 8),
    (2022, "Spring bank holiday"): dt.date(2022, 6, 2),
}
RENAMED = {dt.date(2020, 5, 8): "Early May bank holiday (VE day)"}

# Extra one-off bank holidays.
EXTRA = [
    (dt.date(2002, 6, 3), "Golden Jubilee bank holiday"),
    (dt.date(2011, 4, 29), "Royal wedding"),
    (dt.date(2012, 6, 5), "Queen's Diamond Jubilee"),
    (dt.date(2022, 6, 3), "Platinum Jubilee bank holiday"),
    (dt.date(2022, 9, 19), "Bank holiday for the State Funeral of Queen Elizabeth II"),
    (dt.date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"),
]

# GOV.UK's published england-and-wales dates for 2018-2027, to check the rules against.
GOV_UK = """
2018-01-01 2018-03-30 2018-04-02 2018-05-07 2018-05-28 2018-08-27 2018-12-25 2018-12-26
2019-01-01 2019-04-19 2019-04-22 2019-05-06 2019-05-27 2019-08-26 2019-12-25 2019-12-26
2020-01-01 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28
2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28
2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19
2022-12-26 2022-12-27
2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25
2023-12-26
2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26
2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26
2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28
2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28
"""


def easter_sunday(year):
    """Gregorian Easter by the anonymous (Meeus/Jones/Butcher) algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def first_monday(year, month):
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(MON - d.weekday()) % 7)


def last_monday(year, month):
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - MON) % 7)


def year_holidays(year):
    days = []
    new_year = dt.date(year, 1, 1)
    if new_year.weekday() >= SAT:
        days.append((new_year + dt.timedelta(days=7 - new_year.weekday()),
                     "New Year's Day (substitute day)"))
    else:
        days.append((new_year, "New Year's Day"))
    easter = easter_sunday(year)
    days.append((easter - dt.timedelta(days=2), "Good Friday"))
    days.append((easter + dt.timedelta(days=1), "Easter Monday"))
    for name, date in (("Early May bank holiday", first_monday(year, 5)),
                       ("Spring bank holiday", last_monday(year, 5)),
                       ("Summer bank holiday", last_monday(year, 8))):
        date = MOVED.get((year, name), date)
        days.append((date, RENAMED.get(date, name)))
    # Christmas and Boxing Day: a day falling at the weekend moves to the next
    # weekday not already a holiday (so 25 Dec on a Saturday gives Monday 27
    # for Christmas and Tuesday 28 for Boxing Day; on a Sunday, Boxing Day
    # keeps Monday 26 and Christmas moves to Tuesday 27).
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    taken = {d for d in (christmas, boxing) if d.weekday() < SAT}
    for date, name in ((christmas, "Christmas Day"), (boxing, "Boxing Day")):
        if date.weekday() < SAT:
            days.append((date, name))
            continue
        sub = date
        while sub.weekday() >= SAT or sub in taken:
            sub += dt.timedelta(days=1)
        taken.add(sub)
        days.append((sub, name + " (substitute day)"))
    days.extend((d, n) for d, n in EXTRA if d.year == year)
    return sorted(days)


def main():
    rows = [h for y in range(FIRST_YEAR, LAST_YEAR + 1) for h in year_holidays(y)]
    dates = [d for d, _ in rows]
    assert len(set(dates)) == len(dates), "two holidays on one day"
    assert all(d.weekday() < SAT for d in dates), "a holiday at a weekend"

    published = sorted(dt.date.fromisoformat(s) for s in GOV_UK.split())
    ours = sorted(d for d in dates if 2018 <= d.year <= 2027)
    if ours != published:
        print("differs from GOV.UK:", sorted(set(ours) ^ set(published)), file=sys.stderr)
        sys.exit(1)

    with open(OUT, "w", encoding="utf-8", newline="\n") as out:
        out.write("date,name\n")
        for date, name in rows:
            out.write(f"{date.isoformat()},{name}\n")
    print(f"wrote {len(rows)} bank holidays to {OUT}")


if __name__ == "__main__":
    main()
