-- Default fakes that fit their types in a table of any size. A column no
-- unique index needs distinct wraps around once the row number outgrows
-- its type (char(n), varchar(n), smallint, numeric(p,s), restricted
-- interval, date); enums and booleans cycle through their values. A key of
-- a unique index whose type cannot number every row fails before anything
-- is copied, naming the column, its type, the row count and the index.
CREATE SCHEMA fit;
SET search_path = fit, public;
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped', 'void');
CREATE DOMAIN positive_small AS smallint CHECK (VALUE > 0);
CREATE TABLE narrow (
    id int PRIMARY KEY,
    c1 char(1), c2 char(2), v3 varchar(3), i2 smallint, pos positive_small,
    n30 numeric(3,0), n22 numeric(2,2), nneg numeric(2,-3), iv interval day, d date,
    st status, flag boolean, sts status[], v3a varchar(3)[]);
-- Row i is the i-th row read (the fakes' row number); row 5 holds NULLs.
INSERT INTO narrow
SELECT i, 'x', CASE WHEN i <> 5 THEN 'GB' END, 'abc', CASE WHEN i <> 5 THEN 7 END, 9, 5, 0.5,
       12000, interval '3 days', date '2020-01-01', CASE WHEN i <> 5 THEN 'paid'::status END,
       CASE WHEN i <> 5 THEN i % 3 = 0 END, ARRAY['void'::status], ARRAY['abc']
  FROM generate_series(1, 40000) i;
SELECT rows_copied, columns_scrubbed
  FROM scrub_to_schema('{"narrow": ["id"]}', 'fit_scrubbed', 'fit');

-- Every row is filled within its type; the values repeat once the type is
-- full (row number modulo the number of values), NULL stays NULL.
SELECT count(*) AS rows, count(DISTINCT c1) AS c1, count(DISTINCT c2) AS c2,
       count(DISTINCT v3) AS v3, max(length(v3)) AS v3_len, count(DISTINCT i2) AS i2,
       min(i2) AS i2_min, max(i2) AS i2_max, min(pos) AS pos_min, count(DISTINCT n30) AS n30,
       count(DISTINCT n22) AS n22, count(DISTINCT nneg) AS nneg, count(DISTINCT iv) AS iv,
       count(DISTINCT d) AS d, count(DISTINCT st) AS st, count(DISTINCT flag) AS flag,
       count(DISTINCT sts) AS sts, count(DISTINCT v3a) AS v3a
  FROM fit_scrubbed.narrow;
SELECT num_nulls(c2, i2, st, flag) AS nulls_kept FROM fit_scrubbed.narrow WHERE id = 5;
-- What they look like around the points where they wrap.
SELECT id, c1, c2, v3, i2, n30, n22, nneg, st, flag, sts, v3a
  FROM fit_scrubbed.narrow
 WHERE id IN (1, 2, 3, 4, 9, 10, 99, 100, 999, 1000, 32767, 32768, 40000) ORDER BY id;
SELECT id, iv, d FROM fit_scrubbed.narrow WHERE id IN (1, 40000) ORDER BY id;

-- A filter on an enum or a boolean still finds rows: each value in turn,
-- in the enum's sort order.
SELECT st, count(*) FROM fit_scrubbed.narrow GROUP BY st ORDER BY st;
SELECT count(*) AS paid FROM fit_scrubbed.narrow WHERE st = 'paid';
SELECT count(*) AS flagged FROM fit_scrubbed.narrow WHERE flag;

-- The limits the fakes wrap at are those of the server's types: the last
-- day a date holds, the most years an interval holds, the last IPv4
-- address after 10.0.0.0 (fake_test.cpp checks the expressions use them).
SELECT date '2000-01-01' + 2145031948 AS last_date,
       make_interval(years => 178956970) AS most_years,
       inet '10.0.0.0' + 4127195135 AS last_address;
SELECT expect_error($$SELECT date '2000-01-01' + 2145031949$$);
SELECT expect_error($$SELECT inet '10.0.0.0' + 4127195136$$);

-- Keys of unique indexes get distinct fakes, and fail where their type
-- cannot number every row: all of them named at once, before any copy.
CREATE TABLE uq_code (id int, code char(2) UNIQUE);
INSERT INTO uq_code SELECT i, lpad(to_hex(i), 2, '0') FROM generate_series(1, 100) i;
CREATE TABLE uq_small (k smallint PRIMARY KEY, note text);
INSERT INTO uq_small SELECT i - 20000, 'n' FROM generate_series(1, 40000) i;
CREATE TABLE uq_num (id int, n numeric(3,0), d numeric(2,2));
CREATE UNIQUE INDEX uq_num_n_d ON uq_num (n, d);
INSERT INTO uq_num SELECT i, i - 500, 0.5 FROM generate_series(1, 1001) i;
CREATE TABLE uq_time (id int, t time UNIQUE);
INSERT INTO uq_time SELECT i, time '00:00' + i * interval '1 millisecond'
  FROM generate_series(1, 86401) i;
-- (owner, tag) is not unique by the kept owner alone: tag must be distinct.
CREATE TABLE owned (owner int, tag char(1), UNIQUE (owner, tag));
INSERT INTO owned SELECT i % 2, chr(64 + i) FROM generate_series(1, 20) i;
SELECT * FROM scrub_to_schema('{"uq_code": ["id"], "uq_small": ["note"], "uq_num": ["id"],
                                "uq_time": ["id"], "owned": ["owner"]}', 'fit_scrubbed', 'fit');
-- Nothing was changed: the earlier copy is still there.
SELECT count(*) FROM fit_scrubbed.narrow;
-- Below the limit the same keys are distinct.
DELETE FROM uq_code WHERE id > 99;
SELECT rows_copied FROM scrub_to_schema('{"uq_code": ["id"]}', 'fit_scrubbed', 'fit');
SELECT count(DISTINCT code) AS distinct_codes, min(code), max(code) FROM fit_scrubbed.uq_code;

-- A unique index whose kept columns are unique on their own holds whatever
-- its scrubbed columns become: those wrap. A partial unique index whose
-- predicate reads a scrubbed boolean gets one value there (false), so it
-- stays as empty as it can be instead of holding every other row.
CREATE TABLE tagged (id int PRIMARY KEY, tag char(1), UNIQUE (id, tag));
INSERT INTO tagged SELECT i, 'x' FROM generate_series(1, 20) i;
CREATE TABLE addresses (id int PRIMARY KEY, user_id int, is_primary boolean, kind status);
CREATE UNIQUE INDEX one_primary ON addresses (user_id) WHERE is_primary;
INSERT INTO addresses SELECT i, i % 10, i <= 10, 'new' FROM generate_series(1, 30) i;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"tagged": ["id"], "addresses": ["id", "user_id"]}', 'fit_scrubbed', 'fit')
 ORDER BY 1;
SELECT count(DISTINCT tag) AS tags, count(DISTINCT (id, tag)) AS pairs FROM fit_scrubbed.tagged;
SELECT is_primary, count(*), count(DISTINCT kind) AS kinds
  FROM fit_scrubbed.addresses GROUP BY is_primary;

DROP SCHEMA fit_scrubbed CASCADE;
RESET search_path;
DROP SCHEMA fit CASCADE;
