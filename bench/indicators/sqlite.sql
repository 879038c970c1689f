-- The numerators and denominators of 22 of onechild's indicators, by period
-- and breakdown group: postgres.sql in SQLite's dialect (no date intervals,
-- no SQL functions, GLOB for LIKE; dates are ISO text). Tables: children,
-- events, vulnerable_groups, settings (sqlite-load.sql).
--
-- Output: indicator, period (its last day), breakdown, group, numerator,
-- denominator; every group with a denominator, and "all" always.
--
-- Periods: five of 12 months, the latest ending on settings.as_of.
-- Units counted (each adds to the numerator, the denominator or both):
--   rates (events)  an event at the ages counted, dated in the period (numerator);
--                   a child of those ages in the ICS at the period's middle (denominator)
--   shares          a day with the unit event (denominator), and every same-day test met
--                   on that day (numerator)
--   people          a child 0-17 in the ICS on the period's last day (or reaching the
--                   birthday in the period) meeting the population conditions
--                   (denominator), and the numerator's (numerator)
-- A unit is counted in "all", its age band (the age on the unit's day), and
-- each of its child's groups.
--
-- Whole years of age on day d, written out where needed:
--   substr(d, 1, 4) - substr(birth, 1, 4) - (substr(d, 6) < substr(birth, 6))
-- (the year difference, less one if d's month-day comes before the birthday's).
-- Calendar months: SQLite's date(d, '-12 months') rolls 29 February over to
-- 1 March; the engine clamps to the month's last day, so months are added to
-- the first of the month and the day clamped by hand.

-- The database is read-only here: a large page cache, temporary tables (the
-- materialised steps below) in memory, and both cores for sorting.
.output /dev/null
PRAGMA cache_size = -4000000;
PRAGMA temp_store = MEMORY;
PRAGMA threads = 2;
.output stdout

WITH
indicators (indicator) AS (VALUES
  ('ae-0-4'), ('admissions-asthma'), ('admissions-diabetes'), ('admissions-epilepsy'),
  ('admissions-injury-0-14'), ('admissions-injury-15-24'), ('admissions-self-harm'),
  ('tooth-extractions'),
  ('asq3-all-domains'), ('school-readiness'),
  ('ncmp-reception-obese'), ('ncmp-reception-severe'), ('ncmp-reception-overweight'),
  ('ncmp-year6-obese'), ('ncmp-year6-severe'), ('ncmp-year6-overweight'),
  ('camhs-access'), ('children-in-need'), ('child-protection-plans'), ('looked-after'),
  ('integrated-care-composite'), ('transition-plan-by-16')
),

-- Period k (0 the latest): the 12 months ending k years before the as-of day.
-- months_back m: m calendar months before the as-of day, the day clamped to
-- the month's end.
months_back (period, months, back) AS (
  SELECT k, m,
         min(date(as_of, 'start of month', printf('%+d months', -m),
                  printf('+%d days', strftime('%d', as_of) - 1)),
             date(as_of, 'start of month', printf('%+d months', 1 - m), '-1 day'))
  FROM settings
  CROSS JOIN (SELECT column1 AS k, 12 * column1 AS m FROM (VALUES (0), (1), (2), (3), (4), (5)))
),
periods AS MATERIALIZED (
  SELECT period, period_start, period_end, year_before_end,
         -- the period's middle day (the rates' population is counted then)
         date(period_start, printf('+%d days',
              CAST(julianday(period_end) - julianday(period_start) AS INTEGER) / 2)) AS mid
  FROM (SELECT e.period, date(s.back, '+1 day') AS period_start, e.back AS period_end,
               -- the 12 months before the period's end, for "within 12 months"
               s.back AS year_before_end
        FROM months_back e
        JOIN months_back s ON s.period = e.period + 1)
),

-- Children with a known birth date (the engine counts no others).
kids AS (
  SELECT child_id, birth, died, moved_out FROM children WHERE birth IS NOT NULL
),

-- ---------------------------------------------------------------------------
-- Rates: events per child of the ages counted.

rate_ages (indicator, min_age, max_age) AS (VALUES
  ('ae-0-4', 0, 4),
  ('admissions-asthma', 0, 18),
  ('admissions-diabetes', 0, 18),
  ('admissions-epilepsy', 0, 18),
  ('admissions-injury-0-14', 0, 14),
  ('admissions-injury-15-24', 15, 24),
  ('admissions-self-harm', 10, 24),
  ('tooth-extractions', 0, 10)
),

-- The events each rate counts. Emergency admissions: admission method 2x.
-- GLOB is case-sensitive, as the engine's patterns are.
rate_events AS (
  SELECT 'ae-0-4' AS indicator, child_id, start_date
  FROM events WHERE kind = 'ed-attendance'
  UNION ALL
  SELECT 'admissions-asthma', child_id, start_date
  FROM events WHERE kind = 'admission' AND status GLOB '2*'
    AND (code GLOB 'J45*' OR code GLOB 'J46*')
  UNION ALL
  SELECT 'admissions-diabetes', child_id, start_date
  FROM events WHERE kind = 'admission' AND status GLOB '2*'
    AND (code GLOB 'E10*' OR code GLOB 'E11*' OR code GLOB 'E12*' OR code GLOB 'E13*'
         OR code GLOB 'E14*')
  UNION ALL
  SELECT 'admissions-epilepsy', child_id, start_date
  FROM events WHERE kind = 'admission' AND status GLOB '2*'
    AND (code GLOB 'G40*' OR code GLOB 'G41*')
  UNION ALL
  SELECT injury.indicator, e.child_id, e.start_date
  FROM events e
  CROSS JOIN (SELECT 'admissions-injury-0-14' AS indicator
              UNION ALL SELECT 'admissions-injury-15-24') injury
  WHERE e.kind = 'admission' AND e.status GLOB '2*'
    AND (e.code GLOB 'S*' OR e.code GLOB 'T[0-7]*')
  UNION ALL
  -- Self-harm: the external cause X60-X84, which the spell carries as its value.
  SELECT 'admissions-self-harm', child_id, start_date
  FROM events WHERE kind = 'admission' AND status GLOB '2*'
    AND (value GLOB 'X6*' OR value GLOB 'X7*' OR value GLOB 'X8[0-4]*')
  UNION ALL
  SELECT 'tooth-extractions', child_id, start_date
  FROM events WHERE kind = 'procedure' AND code GLOB 'F10*'
),

-- The children in the ICS at the middle of each period, with their age then.
mid_period AS MATERIALIZED (
  SELECT p.period, c.child_id,
         substr(p.mid, 1, 4) - substr(c.birth, 1, 4) - (substr(p.mid, 6) < substr(c.birth, 6)) AS age
  FROM periods p
  JOIN kids c
    ON c.birth <= p.mid
   AND (c.died IS NULL OR c.died > p.mid)
   AND (c.moved_out IS NULL OR c.moved_out > p.mid)
),

-- ---------------------------------------------------------------------------
-- Shares: per child and day, what was measured that day. A value's leading
-- number ("99.6 %" -> 99.6) is CAST(value AS REAL) when it starts with one.

measured AS (
  SELECT child_id, start_date, kind, code, value,
         CASE WHEN value GLOB '[0-9]*' OR value GLOB '-[0-9]*' OR value GLOB '.[0-9]*'
                   OR value GLOB '-.[0-9]*'
              THEN CAST(value AS REAL) END AS number
  FROM events
  WHERE (kind = 'encounter' AND code IN ('ncmp-reception', 'ncmp-year-6'))
     OR (kind = 'observation' AND (code = 'bmi-centile-uk90' OR code GLOB 'asq3-*'))
     OR kind = 'eyfsp'
),
measured_days AS (
  SELECT child_id, start_date AS day,
         max(kind = 'encounter' AND code = 'ncmp-reception') AS ncmp_reception,
         max(kind = 'encounter' AND code = 'ncmp-year-6') AS ncmp_year6,
         max(CASE WHEN kind = 'observation' AND code = 'bmi-centile-uk90'
                  THEN number END) AS bmi_centile,
         max(kind = 'observation' AND code = 'asq3-communication') AS asq3,
         max(CASE WHEN kind = 'observation' AND code = 'asq3-communication'
                  THEN number END) AS asq3_communication,
         max(CASE WHEN kind = 'observation' AND code = 'asq3-gross-motor'
                  THEN number END) AS asq3_gross_motor,
         max(CASE WHEN kind = 'observation' AND code = 'asq3-fine-motor'
                  THEN number END) AS asq3_fine_motor,
         max(CASE WHEN kind = 'observation' AND code = 'asq3-problem-solving'
                  THEN number END) AS asq3_problem_solving,
         max(CASE WHEN kind = 'observation' AND code = 'asq3-personal-social'
                  THEN number END) AS asq3_personal_social,
         max(kind = 'eyfsp') AS eyfsp,
         max(kind = 'eyfsp' AND value = 'Y') AS eyfsp_good_level
  FROM measured
  GROUP BY child_id, start_date
),

share_days AS (
  SELECT d.*, p.period,
         substr(d.day, 1, 4) - substr(c.birth, 1, 4) - (substr(d.day, 6) < substr(c.birth, 6)) AS age
  FROM measured_days d
  JOIN kids c USING (child_id)
  JOIN periods p ON d.day BETWEEN p.period_start AND p.period_end
),

-- ---------------------------------------------------------------------------
-- People: the children 0-17 in the ICS on each period's last day.

period_end_children AS (
  SELECT * FROM (
    SELECT p.period, p.period_end AS anchor, p.year_before_end, c.child_id,
           substr(p.period_end, 1, 4) - substr(c.birth, 1, 4)
             - (substr(p.period_end, 6) < substr(c.birth, 6)) AS age
    FROM periods p
    JOIN kids c
      ON c.birth <= p.period_end
     AND (c.died IS NULL OR c.died > p.period_end)
     AND (c.moved_out IS NULL OR c.moved_out > p.period_end))
  WHERE age BETWEEN 0 AND 17
),

-- The young people reaching their 16th birthday in each period, in the ICS
-- then (192 calendar months after birth, the day clamped to the month's end).
sixteenth_birthdays AS (
  SELECT p.period, b.child_id, b.anchor,
         substr(b.anchor, 1, 4) - substr(b.birth, 1, 4) - (substr(b.anchor, 6) < substr(b.birth, 6)) AS age
  FROM (SELECT child_id, birth, died, moved_out,
               min(date(birth, 'start of month', '+192 months',
                        printf('+%d days', strftime('%d', birth) - 1)),
                   date(birth, 'start of month', '+193 months', '-1 day')) AS anchor
        FROM kids) b
  JOIN periods p ON b.anchor BETWEEN p.period_start AND p.period_end
  WHERE (b.died IS NULL OR b.died > b.anchor)
    AND (b.moved_out IS NULL OR b.moved_out > b.anchor)
),

-- ---------------------------------------------------------------------------
-- Every unit counted: indicator, period, child, age on the unit's day, and
-- what it adds to the numerator and the denominator.

units AS MATERIALIZED (
  -- Rates, numerators: each event in a period at the ages counted.
  SELECT indicator, period, child_id, age, 1 AS numerator, 0 AS denominator
  FROM (
    SELECT e.indicator, p.period, e.child_id, a.min_age, a.max_age,
           substr(e.start_date, 1, 4) - substr(c.birth, 1, 4)
             - (substr(e.start_date, 6) < substr(c.birth, 6)) AS age
    FROM rate_events e
    JOIN kids c USING (child_id)
    JOIN rate_ages a USING (indicator)
    JOIN periods p ON e.start_date BETWEEN p.period_start AND p.period_end)
  WHERE age BETWEEN min_age AND max_age

  UNION ALL
  -- Rates, denominators: the children of those ages at the period's middle.
  SELECT a.indicator, m.period, m.child_id, m.age, 0, 1
  FROM mid_period m
  JOIN rate_ages a ON m.age BETWEEN a.min_age AND a.max_age

  UNION ALL
  -- Shares (ASQ-3 cut-offs: Squires & Bricker, 24 months).
  SELECT 'asq3-all-domains', period, child_id, age,
         coalesce(asq3_communication >= 25.17 AND asq3_gross_motor >= 38.07
                  AND asq3_fine_motor >= 35.16 AND asq3_problem_solving >= 29.78
                  AND asq3_personal_social >= 31.54, 0), 1
  FROM share_days WHERE asq3
  UNION ALL
  SELECT 'school-readiness', period, child_id, age, eyfsp_good_level, 1
  FROM share_days WHERE eyfsp
  UNION ALL
  SELECT 'ncmp-reception-obese', period, child_id, age,
         coalesce(bmi_centile >= 95, 0), 1
  FROM share_days WHERE ncmp_reception
  UNION ALL
  SELECT 'ncmp-reception-severe', period, child_id, age,
         coalesce(bmi_centile >= 99.6, 0), 1
  FROM share_days WHERE ncmp_reception
  UNION ALL
  SELECT 'ncmp-reception-overweight', period, child_id, age,
         coalesce(bmi_centile >= 85, 0), 1
  FROM share_days WHERE ncmp_reception
  UNION ALL
  SELECT 'ncmp-year6-obese', period, child_id, age,
         coalesce(bmi_centile >= 95, 0), 1
  FROM share_days WHERE ncmp_year6
  UNION ALL
  SELECT 'ncmp-year6-severe', period, child_id, age,
         coalesce(bmi_centile >= 99.6, 0), 1
  FROM share_days WHERE ncmp_year6
  UNION ALL
  SELECT 'ncmp-year6-overweight', period, child_id, age,
         coalesce(bmi_centile >= 85, 0), 1
  FROM share_days WHERE ncmp_year6

  UNION ALL
  -- CAMHS access: an attended contact in the 12 months up to the period's end.
  SELECT 'camhs-access', y.period, y.child_id, y.age,
         EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'mental-health-contact'
             AND e.status = 'attended'
             AND e.start_date > y.year_before_end AND e.start_date <= y.anchor), 1
  FROM period_end_children y

  UNION ALL
  -- Social care: an episode open on the period's last day (started by it,
  -- not ended before it). Child in need: primary need code N1-N9.
  SELECT 'children-in-need', y.period, y.child_id, y.age,
         EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'social-care-episode'
             AND e.code GLOB 'N*'
             AND e.start_date <= y.anchor
             AND (e.end_date IS NULL OR e.end_date >= y.anchor)), 1
  FROM period_end_children y
  UNION ALL
  -- Child protection plan: a category of abuse.
  SELECT 'child-protection-plans', y.period, y.child_id, y.age,
         EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'social-care-episode'
             AND e.code IN ('EMO', 'NEG', 'SAB', 'PHY', 'MUL')
             AND e.start_date <= y.anchor
             AND (e.end_date IS NULL OR e.end_date >= y.anchor)), 1
  FROM period_end_children y
  UNION ALL
  -- Looked after: a legal status.
  SELECT 'looked-after', y.period, y.child_id, y.age,
         EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'social-care-episode'
             AND e.code IN ('C1', 'C2', 'D1', 'E1', 'J1', 'J2', 'J3', 'L1', 'L2', 'L3',
                            'V2', 'V3', 'V4')
             AND e.start_date <= y.anchor
             AND (e.end_date IS NULL OR e.end_date >= y.anchor)), 1
  FROM period_end_children y

  UNION ALL
  -- Integrated care: of the children with asthma, epilepsy or type 1
  -- diabetes, those with an active care plan for it, an attended outpatient
  -- appointment in the 12 months, and no emergency admission in them.
  SELECT 'integrated-care-composite', y.period, y.child_id, y.age,
         EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'care-plan'
             AND e.code IN ('asthma', 'epilepsy', 'diabetes') AND e.status = 'active'
             AND e.start_date <= y.anchor)
         AND EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'outpatient-appointment'
             AND e.status = 'attended'
             AND e.start_date > y.year_before_end AND e.start_date <= y.anchor)
         AND NOT EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = y.child_id AND e.kind = 'admission' AND e.status GLOB '2*'
             AND e.start_date > y.year_before_end AND e.start_date <= y.anchor), 1
  FROM period_end_children y
  WHERE EXISTS (
    SELECT 1 FROM events e
    WHERE e.child_id = y.child_id AND e.kind = 'condition'
      AND e.code IN ('195967001', '84757009', '46635009')
      AND e.start_date <= y.anchor)

  UNION ALL
  -- Transition: of the young people with a long-term condition or an EHC
  -- plan by their 16th birthday, those with a transition plan by then.
  SELECT 'transition-plan-by-16', b.period, b.child_id, b.age,
         EXISTS (
           SELECT 1 FROM events e
           WHERE e.child_id = b.child_id AND e.kind = 'care-plan' AND e.code = 'transition'
             AND e.start_date <= b.anchor), 1
  FROM sixteenth_birthdays b
  WHERE EXISTS (
    SELECT 1 FROM events e
    WHERE e.child_id = b.child_id
      AND ((e.kind = 'condition' AND e.code IN ('195967001', '84757009', '46635009'))
           OR e.kind = 'ehc-plan')
      AND e.start_date <= b.anchor)
),

-- ---------------------------------------------------------------------------
-- Breakdowns: each unit with its age band and its child's groups, named as
-- onechild names them.

labelled AS MATERIALIZED (
  SELECT u.indicator, u.period, u.numerator, u.denominator,
         CASE WHEN u.age < 5 THEN '0-4' WHEN u.age < 10 THEN '5-9'
              WHEN u.age < 15 THEN '10-14' WHEN u.age < 20 THEN '15-19'
              ELSE '20-24' END AS age_band,
         CASE c.sex WHEN 1 THEN 'male' WHEN 2 THEN 'female' ELSE 'not-known' END AS sex,
         CASE c.ethnic_group WHEN 1 THEN 'white' WHEN 2 THEN 'mixed' WHEN 3 THEN 'asian'
              WHEN 4 THEN 'black' WHEN 5 THEN 'other' ELSE 'not-known' END AS ethnic_group,
         CASE WHEN c.imd_decile = 0 THEN 'not-known'
              ELSE CAST(c.imd_decile AS TEXT) END AS imd_decile,
         CASE WHEN c.imd_decile = 0 THEN 'not-known'
              WHEN c.imd_decile <= 2 THEN '1' WHEN c.imd_decile <= 4 THEN '2'
              WHEN c.imd_decile <= 6 THEN '3' WHEN c.imd_decile <= 8 THEN '4'
              ELSE '5' END AS imd_quintile,
         CASE WHEN c.imd_decile = 0 THEN 'not-known'
              WHEN c.imd_decile <= 2 THEN 'core20' ELSE 'other' END AS core20,
         coalesce(nullif(c.local_authority, ''), 'not-known') AS local_authority,
         coalesce(nullif(c.pcn, ''), 'not-known') AS pcn,
         coalesce(nullif(c.practice, ''), 'not-known') AS practice,
         c.vulnerable
  FROM units u
  JOIN children c USING (child_id)
),

cells AS MATERIALIZED (
  SELECT indicator, period, 'all' AS breakdown, 'all' AS grp,
         sum(numerator) AS numerator, sum(denominator) AS denominator
  FROM labelled GROUP BY indicator, period
  UNION ALL
  SELECT indicator, period, 'age-band', age_band, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, age_band
  UNION ALL
  SELECT indicator, period, 'sex', sex, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, sex
  UNION ALL
  SELECT indicator, period, 'ethnic-group', ethnic_group, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, ethnic_group
  UNION ALL
  SELECT indicator, period, 'imd-decile', imd_decile, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, imd_decile
  UNION ALL
  SELECT indicator, period, 'imd-quintile', imd_quintile, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, imd_quintile
  UNION ALL
  SELECT indicator, period, 'core20', core20, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, core20
  UNION ALL
  SELECT indicator, period, 'local-authority', local_authority, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, local_authority
  UNION ALL
  SELECT indicator, period, 'pcn', pcn, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, pcn
  UNION ALL
  SELECT indicator, period, 'practice', practice, sum(numerator), sum(denominator)
  FROM labelled GROUP BY indicator, period, practice
  UNION ALL
  -- A child may be in several vulnerable groups: bit i of the mask is group i.
  SELECT l.indicator, l.period, 'vulnerable-group', v.id, sum(l.numerator), sum(l.denominator)
  FROM labelled l
  JOIN vulnerable_groups v ON (l.vulnerable >> v.bit) & 1 = 1
  GROUP BY l.indicator, l.period, v.id
),

-- Age bands are shown where the indicator's children span more than one in
-- the latest period.
banded AS (
  SELECT indicator FROM cells
  WHERE breakdown = 'age-band' AND period = 0 AND denominator > 0
  GROUP BY indicator
  HAVING count(*) > 1
)

-- "all" for every indicator and period, even when nobody was counted.
SELECT i.indicator, p.period_end AS period, 'all' AS breakdown, 'all' AS "group",
       coalesce(c.numerator, 0) AS numerator, coalesce(c.denominator, 0) AS denominator
FROM indicators i
CROSS JOIN periods p
LEFT JOIN cells c ON c.indicator = i.indicator AND c.period = p.period AND c.breakdown = 'all'
UNION ALL
-- The other groups with a denominator.
SELECT c.indicator, p.period_end, c.breakdown, c.grp, c.numerator, c.denominator
FROM cells c
JOIN periods p USING (period)
WHERE c.breakdown <> 'all' AND c.denominator > 0
  AND (c.breakdown <> 'age-band' OR c.indicator IN (SELECT indicator FROM banded))
ORDER BY 1, 2 DESC, 3, 4;
