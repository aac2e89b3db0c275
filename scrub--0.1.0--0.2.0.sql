-- scrub upgrade from 0.1.0 to 0.2.0
\echo Use "ALTER EXTENSION scrub UPDATE TO '0.2.0'" to load this file. \quit

-- Output styles pinned as pg_dump pins them (see scrub--0.2.0.sql).
ALTER FUNCTION scrub_to_schema(jsonb, text, text)
    SET DateStyle = 'ISO, YMD'
    SET IntervalStyle = postgres
    SET extra_float_digits = 3
    SET lc_monetary = 'C'
    SET xmloption = content
    SET TimeZone = 'UTC';
