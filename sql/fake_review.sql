-- Findings of a hostile review of fakes, constants and the json rule.
CREATE SCHEMA review;
SET search_path = review, public;

-- Default text fakes are distinct by construction: the whole prefix
-- (column name and "_") or none, never a shortened one. A shortened
-- prefix joined a digit at the end of the column name onto the row
-- number: in char(6), line2 gave "line2" + "1" at row 1 and "line" + "21"
-- at row 21.
CREATE TABLE t5 (id int PRIMARY KEY, line2 char(6) UNIQUE, a1 varchar(4) UNIQUE,
                 b22 varchar(7) UNIQUE, "ça" char(3) UNIQUE, "é9" varchar(6) UNIQUE);
INSERT INTO t5 SELECT i, 'l' || i, i, i, i, i FROM generate_series(1, 999) i;
SELECT rows_copied FROM scrub_to_schema('{"t5": ["id"]}', 'review_scrubbed', 'review');
SELECT count(*) AS rows, count(DISTINCT line2) AS line2, count(DISTINCT a1) AS a1,
       count(DISTINCT b22) AS b22, count(DISTINCT "ça") AS "ça", count(DISTINCT "é9") AS "é9"
  FROM review_scrubbed.t5;
SELECT id, line2, a1, b22, "ça", "é9" FROM review_scrubbed.t5
 WHERE id IN (1, 9, 10, 11, 21, 99, 100, 111, 999) ORDER BY id;
