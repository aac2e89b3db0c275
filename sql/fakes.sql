-- Default fakes for every supported type: never the original value, NULL
-- kept NULL, unique within the table where a unique index needs it, within
-- length limits, valid for enums and domains, and arrays of all of these.
-- (fake_fit covers fakes that wrap or cycle in tables of many rows.)
CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA typed;
SET search_path = typed, public;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
CREATE DOMAIN short_code AS varchar(6) NOT NULL;
CREATE TABLE everything (
    id int PRIMARY KEY,
    t text UNIQUE, vc varchar(5) UNIQUE, c char(4) UNIQUE, ci citext UNIQUE, nm name,
    i2 smallint UNIQUE, i4 integer UNIQUE, i8 bigint UNIQUE,
    n numeric UNIQUE, n52 numeric(5,2) UNIQUE, n33 numeric(3,3), f4 real, f8 double precision,
    b boolean, d date UNIQUE, tm time, ttz timetz, ts timestamp UNIQUE, tstz timestamptz UNIQUE,
    iv interval UNIQUE, u uuid UNIQUE, j json, jb jsonb UNIQUE, by bytea UNIQUE,
    ip inet UNIQUE, net cidr UNIQUE, mac macaddr UNIQUE, mac8 macaddr8 UNIQUE,
    e mood, dom positive_int UNIQUE, code short_code UNIQUE,
    ta text[], ia int[], ea mood[], da positive_int[]);
INSERT INTO everything
SELECT i, 'text ' || i, 'v' || i, 'c' || i, 'CI ' || i, 'name' || i,
       i + 100, i * 10, i * 100, i + 0.5, i + 0.25, 0.5, i + 0.5, i * 1.5,
       true, date '1999-01-01' + i, time '12:00' + i * interval '1 minute', '12:00+02',
       timestamp '2010-01-01' + i * interval '1 hour', timestamptz '2010-01-01 00:00+00' + i * interval '1 hour',
       i * interval '1 day', gen_random_uuid(), '{"k": "v"}', jsonb_build_object('k', i), ('\x' || lpad(to_hex(i + 4096), 8, '0'))::bytea,
       ('192.168.1.' || i)::inet, ('192.168.' || i || '.0/24')::cidr, ('08:00:2b:01:02:' || lpad(to_hex(i), 2, '0'))::macaddr,
       ('08:00:2b:01:02:03:04:' || lpad(to_hex(i), 2, '0'))::macaddr8,
       'happy', i + 1000, 'k' || i,
       ARRAY['x' || i, 'y'], ARRAY[i, i + 1], ARRAY['happy'::mood], ARRAY[i + 7]::positive_int[]
  FROM generate_series(1, 40) i;
-- a row of NULLs (domain short_code is NOT NULL, so it keeps a value)
INSERT INTO everything (id, code) VALUES (41, 'null');

SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"everything": ["id"]}', source_schema => 'typed');

-- No scrubbed value equals its original, column by column (NULLs aside).
SELECT col, count(*) AS equal_to_source
  FROM everything s JOIN scrubbed.everything x USING (id),
       LATERAL (VALUES
         ('t', s.t IS NOT DISTINCT FROM x.t AND s.t IS NOT NULL),
         ('vc', s.vc = x.vc), ('c', s.c = x.c), ('ci', s.ci = x.ci), ('nm', s.nm = x.nm),
         ('i2', s.i2 = x.i2), ('i4', s.i4 = x.i4), ('i8', s.i8 = x.i8),
         ('n', s.n = x.n), ('n52', s.n52 = x.n52), ('f4', s.f4 = x.f4), ('f8', s.f8 = x.f8),
         ('d', s.d = x.d), ('tm', s.tm = x.tm), ('ttz', s.ttz = x.ttz), ('ts', s.ts = x.ts), ('tstz', s.tstz = x.tstz),
         ('iv', s.iv = x.iv), ('u', s.u = x.u), ('j', s.j::text = x.j::text), ('jb', s.jb = x.jb),
         ('by', s.by = x.by), ('ip', s.ip = x.ip), ('net', s.net = x.net), ('mac', s.mac = x.mac),
         ('mac8', s.mac8 = x.mac8), ('dom', s.dom = x.dom), ('code', s.code = x.code),
         ('ta', s.ta = x.ta), ('ia', s.ia = x.ia), ('da', s.da::int[] = x.da::int[])
       ) AS v(col, same)
 WHERE same
 GROUP BY col ORDER BY col;

-- NULL stays NULL: the all-NULL row is still all NULL.
SELECT num_nulls(t, vc, c, ci, nm, i2, i4, i8, n, n52, n33, f4, f8, b, d, tm, ttz, ts, tstz, iv,
                 u, j, jb, by, ip, net, mac, mac8, e, dom, ta, ia, ea, da) AS nulls_kept,
       code IS NOT NULL AS not_null_domain_filled
  FROM scrubbed.everything WHERE id = 41;

-- Unique where the source is unique, so PRIMARY KEY / UNIQUE hold on restore.
SELECT count(DISTINCT t) AS t, count(DISTINCT vc) AS vc, count(DISTINCT c) AS c,
       count(DISTINCT ci) AS ci, count(DISTINCT i2) AS i2, count(DISTINCT n52) AS n52,
       count(DISTINCT d) AS d, count(DISTINCT tstz) AS tstz, count(DISTINCT u) AS u,
       count(DISTINCT jb) AS jb, count(DISTINCT by) AS by, count(DISTINCT ip) AS ip,
       count(DISTINCT net) AS net, count(DISTINCT mac8) AS mac8, count(DISTINCT dom) AS dom,
       count(DISTINCT code) AS code
  FROM scrubbed.everything;

-- Within limits and valid for the column's type, enum and domain; enums
-- and booleans cycle through their values in row order.
SELECT max(length(vc)) <= 5 AS vc_fits, max(octet_length(c)) <= 4 AS char_fits,
       bool_and(n33 < 1) AS n33_fits, bool_and(abs(n52) < 1000) AS n52_fits,
       bool_and(dom > 0) AS domain_holds
  FROM scrubbed.everything WHERE id <= 40;
SELECT id, b, e, ea FROM scrubbed.everything WHERE id <= 4 ORDER BY id;
SELECT pg_typeof(dom) AS dom_type, pg_typeof(code) AS code_type, pg_typeof(ci) AS ci_type,
       pg_typeof(da) AS da_type
  FROM scrubbed.everything LIMIT 1;
-- A sample of what fakes look like.
SELECT t, vc, c, ci, i4, n52, d, ts, u, jb, by, ip, net, mac, ta
  FROM scrubbed.everything WHERE id <= 3 ORDER BY id;

-- varchar(n) fakes never get truncated into duplicates: too many rows for
-- the width of a unique column fails loudly instead, naming it.
CREATE TABLE tiny (id int, v varchar(1) UNIQUE);
INSERT INTO tiny SELECT i, chr(96 + i) FROM generate_series(1, 9) i;
SELECT rows_copied FROM scrub_to_schema('{"tiny": ["id"]}', source_schema => 'typed');
SELECT string_agg(v, ',' ORDER BY id) FROM scrubbed.tiny;
INSERT INTO tiny VALUES (10, 'j');
SELECT * FROM scrub_to_schema('{"tiny": ["id"]}', source_schema => 'typed');

-- A type without a default fake fails the run, naming every such column.
CREATE TYPE pair AS (a int, b int);
CREATE TABLE odd (id int, price money, spot point, both_parts pair, fine text);
INSERT INTO odd VALUES (1, 1, '(1,1)', '(1,2)', 'x');
SELECT * FROM scrub_to_schema('{"odd": ["id"]}', source_schema => 'typed');
-- Keeping those columns verbatim is the fix the hint gives.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"odd": ["id", "price", "spot", "both_parts"]}', source_schema => 'typed');
SELECT price, spot, both_parts, fine <> 'x' AS fine_scrubbed FROM scrubbed.odd;

-- Typmods that would cut a fake down to one value for every row: a
-- negative numeric scale, interval field restrictions and precision, and
-- a name column whose multibyte column name fills name's 63 bytes (the
-- limit counts bytes, not characters).
CREATE TABLE restricted (
    id int, n5m2 numeric(5,-2) UNIQUE, iv_y interval year UNIQUE, iv_mo interval month UNIQUE,
    iv_d interval day UNIQUE, iv_hm interval hour to minute UNIQUE,
    iv_ms interval minute to second UNIQUE, iv_s interval second UNIQUE, iv_p interval(0) UNIQUE,
    "ééééééééééééééééééééééééééééééé" name UNIQUE);
INSERT INTO restricted
SELECT i, 1000000 + i * 100, i * interval '1 year', i * interval '1 month', i * interval '1 day',
       i * interval '1 minute', i * interval '1 second', i * interval '1 second',
       i * interval '1 second', 'n' || i
  FROM generate_series(1, 40) i;
SELECT rows_copied, columns_scrubbed
  FROM scrub_to_schema('{"restricted": ["id"]}', source_schema => 'typed');
SELECT count(*) AS rows, count(DISTINCT n5m2) AS n5m2, count(DISTINCT iv_y) AS iv_y,
       count(DISTINCT iv_mo) AS iv_mo, count(DISTINCT iv_d) AS iv_d,
       count(DISTINCT iv_hm) AS iv_hm, count(DISTINCT iv_ms) AS iv_ms,
       count(DISTINCT iv_s) AS iv_s, count(DISTINCT iv_p) AS iv_p,
       count(DISTINCT "ééééééééééééééééééééééééééééééé") AS multibyte_name
  FROM scrubbed.restricted;
SELECT n5m2, iv_y, iv_d, iv_hm, "ééééééééééééééééééééééééééééééé" AS multibyte_name
  FROM scrubbed.restricted WHERE id <= 2 ORDER BY id;

-- A source table may take the name an index on the manifest would have.
CREATE TABLE _scrub_tables_pkey (id int, v text);
INSERT INTO _scrub_tables_pkey VALUES (1, 'a'), (2, 'b');
SELECT rows_copied FROM scrub_to_schema('{"_scrub_tables_pkey": ["id"]}', source_schema => 'typed');
SELECT id, v FROM scrubbed._scrub_tables_pkey ORDER BY id;

-- Called where no set can be returned, the function fails before it does
-- any work: the context error comes before the allowlist's own error.
CREATE FUNCTION scrub_as_scalar(jsonb, text, text) RETURNS int
    LANGUAGE c AS '$libdir/scrub', 'scrub_to_schema';
SELECT expect_error($$SELECT typed.scrub_as_scalar('{"no_such_table": []}', 'scrubbed', 'typed')$$);

DROP SCHEMA scrubbed CASCADE;
RESET search_path;
DROP SCHEMA typed CASCADE;
