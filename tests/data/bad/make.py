#!/usr/bin/env python3
"""Writes the bad-file corpus that tests/integration/bad_files_test.cc loads.

Run from anywhere: `python3 tests/data/bad/make.py`. The output is
deterministic (fixed seeds), so re-running it changes nothing; the files are
committed so the test does not need Python. Every file is named so that a
shipped mapping (config/mappings/) matches it; the source system is the name
up to its first dot, "social_care_bad". The test states, per file, what
ingest must do with it (bad_files_test.cc).
"""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

# The social care persons export's header (config/mappings/social_care.persons.toml).
PERSONS_HEADER = "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn,ethnicity"
CIN_HEADER = "episode_id,local_id,category,start_date,end_date,primary_need,reason_for_closure,referral_source"

# Valid NHS numbers (Modulus 11): 943 476 5919, 943 476 5870, 401 023 2137.
VALID_NHS = ["9434765919", "9434765870", "4010232137"]


def person(local_id, given="Amara", family="Okafor", dob="2019-04-12", sex="F",
           postcode="LS7 3QA", nhs="", upn="", ethnicity="WBRI", sep=","):
    return sep.join([local_id, given, family, dob, sex, postcode, nhs, upn, ethnicity])


def good_persons(n, sep=","):
    return [person("CSC%04d" % (i + 1), nhs=VALID_NHS[i % 3], sep=sep) for i in range(n)]


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert len(data) <= 2 << 20, name
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def lines(rows, ending="\n"):
    return ending.join(rows) + ending


def random_bytes(rng, n, forbid=b"\n"):
    """n random bytes, none of them in forbid, with NUL and bytes Windows-1252
    leaves undefined (0x81, 0x8D) always present."""
    out = bytearray(b"\x00\x81\x8d")
    while len(out) < n:
        b = rng.randrange(256)
        if bytes([b]) not in forbid:
            out.append(b)
    return bytes(out)


def main():
    rng = random.Random(20261101)

    # Truncated: the last row is cut mid-field (no line ending): 2 good rows,
    # 1 with too few fields.
    write("social_care_bad.persons.truncated.csv",
          lines([PERSONS_HEADER] + good_persons(2)) + "CSC0003,Evie,Hu")

    # Truncated inside a quoted field: the quote never closes.
    write("social_care_bad.persons.unclosed_quote.csv",
          lines([PERSONS_HEADER] + good_persons(2)) + 'CSC0003,"Evie,Hughes,2018-02-01')

    # Binary garbage as CSV: not even a header.
    write("social_care_bad.persons.binary.csv", random_bytes(rng, 4096, forbid=b""))

    # Binary garbage as NDJSON: 3 lines of random bytes, each with NUL.
    write("gp_bad.binary.ndjson", b"\n".join(random_bytes(rng, 700) for _ in range(3)) + b"\n")

    # Semicolon-separated persons export.
    write("social_care_bad.persons.semicolon.csv",
          lines([PERSONS_HEADER.replace(",", ";")] + good_persons(3, sep=";")))

    # A 1 MB given name in an otherwise valid row (row 3 of 3).
    write("social_care_bad.persons.huge_field.csv",
          lines([PERSONS_HEADER] + good_persons(2) + [person("CSC0003", given="A" * (1 << 20))]))

    # 100,000 '[' on one NDJSON line between two valid Patient resources.
    patient = ('{"resourceType":"Patient","id":"p%d","identifier":[{"system":'
               '"https://fhir.nhs.uk/Id/nhs-number","value":"%s"}],"birthDate":"2019-04-12",'
               '"gender":"female","name":[{"family":"Okafor","given":["Amara"]}]}')
    write("gp_bad.deep.ndjson",
          lines([patient % (1, VALID_NHS[0]), "[" * 100000, patient % (2, VALID_NHS[1])]))

    # A Bundle whose one entry's resource is 100,000 arrays deep.
    write("gp_bad.deep.json",
          '{"resourceType":"Bundle","type":"collection","entry":[{"resource":' + "[" * 100000 +
          "]" * 100000 + "}]}\n")

    # Invalid UTF-8 in a UTF-8 file: row 2 holds 0x81 0x8D, which are not
    # Windows-1252 either, so "auto" cannot convert it.
    rows = good_persons(3)
    data = lines([PERSONS_HEADER] + rows).encode()
    data = data.replace(b"CSC0002,Amara,Okafor", b"CSC0002,Amara,Oka\x81\x8dfor", 1)
    write("social_care_bad.persons.invalid_utf8.csv", data)

    # Windows-1252: "Renée" and "Zoë" as 0xE9 / 0xEB (rows 1 and 3 of 3).
    text = lines([PERSONS_HEADER, person("CSC0001", given="Renée"), person("CSC0002", given="Kai"),
                  person("CSC0003", given="Zoë", family="Müller")])
    write("social_care_bad.persons.windows1252.csv", text.encode("cp1252"))

    # UTF-8 with a byte order mark and CRLF line endings: accepted as is. The
    # last column is mapped (dfe-ethnicity), so a CR left on it would not map.
    write("social_care_bad.persons.bom_crlf.csv",
          b"\xef\xbb\xbf" + lines([PERSONS_HEADER, person("CSC0001", given="Siân")] +
                                  good_persons(3)[1:], ending="\r\n").encode())

    # Quoted fields holding line breaks (and a doubled quote); the row after
    # them has a wrong date, so its physical line number is checked.
    write("social_care_bad.persons.embedded_newlines.csv",
          lines([PERSONS_HEADER,
                 person("CSC0001", family='"Okafor\nSmith"'),
                 person("CSC0002", postcode='"Flat 2\r\n""The Yard""\nLS7 3QA"'),
                 person("CSC0003", dob="2019-13-01")]))

    # Old Mac line endings (CR only): the rows must not vanish into the header.
    write("social_care_bad.persons.cr_only.csv", lines([PERSONS_HEADER] + good_persons(2), ending="\r"))

    # A NUL byte inside an otherwise valid text row (row 2 of 3): not text.
    write("social_care_bad.persons.nul.csv",
          lines([PERSONS_HEADER] + good_persons(3)).replace("CSC0002,Amara", "CSC0002,Am\0ara", 1))

    write("social_care_bad.persons.empty.csv", b"")
    write("social_care_bad.persons.header_only.csv", PERSONS_HEADER + "\n")

    # One row each of: an impossible date, a date after --as-of 2026-11-01,
    # a wrong check digit (accepted), a sex not in the value set, a missing
    # local_id, and a row with one field too few; plus one good row.
    write("social_care_bad.persons.rows.csv", lines([
        PERSONS_HEADER,
        person("CSC0001", nhs=VALID_NHS[0]),                  # line 2: fine
        person("CSC0002", dob="2023-02-30"),                  # line 3: impossible date
        person("CSC0003", dob="2027-01-15"),                  # line 4: in the future
        person("CSC0004", nhs="9434765918"),                  # line 5: wrong check digit
        person("CSC0005", sex="Z"),                           # line 6: not in the value set
        person(""),                                           # line 7: local_id missing
        person("CSC0007").rsplit(",", 1)[0],                  # line 8: 8 fields, not 9
    ]))

    # An event before the person's birth: persons and CIN episodes of one LA.
    write("social_care_bad.persons.csv", lines([
        PERSONS_HEADER,
        person("CSC0001", dob="2020-05-01"),
        person("CSC0002", dob="2018-03-01"),
    ]))
    write("social_care_bad.cin.csv", lines([
        CIN_HEADER,
        "CIN001,CSC0001,Abuse or neglect,2019-01-01,,N1,,self",     # before 2020-05-01
        "CIN002,CSC0001,Abuse or neglect,2021-06-01,2022-01-01,N1,RC1,school",
        "CIN003,CSC0002,Family in acute stress,2019-02-01,,N99,,police",  # N99: not a need code
    ]))

    # Not a feed format ingest knows.
    write("social_care_bad.persons.xlsx", b"PK\x03\x04" + random_bytes(rng, 200, forbid=b""))


if __name__ == "__main__":
    main()
