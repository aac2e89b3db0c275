-- A copy that would break a foreign key fails before copying anything,
-- naming every constraint and why; rows whose key is NULL are exempt.
CREATE SCHEMA fk;
CREATE SCHEMA elsewhere;
CREATE TABLE elsewhere.countries (code text PRIMARY KEY);
INSERT INTO elsewhere.countries VALUES ('DE');
CREATE TABLE fk.parent (id int, region int, name text, PRIMARY KEY (id, region));
CREATE TABLE fk.child (id int, parent_id int, parent_region int, country text REFERENCES elsewhere.countries,
                       FOREIGN KEY (parent_id, parent_region) REFERENCES fk.parent);
CREATE TABLE fk.events (at date, child_id int, parent_id int, parent_region int,
                        FOREIGN KEY (parent_id, parent_region) REFERENCES fk.parent)
    PARTITION BY RANGE (at);
CREATE TABLE fk.events_all PARTITION OF fk.events DEFAULT;
INSERT INTO fk.parent VALUES (1, 1, 'a'), (2, 1, 'b');
INSERT INTO fk.child VALUES (1, 1, 1, NULL), (2, NULL, 1, 'DE');
INSERT INTO fk.events VALUES ('2024-01-01', 1, 2, 1);

-- Referenced table copied without rows; referencing or referenced key
-- columns scrubbed; a table outside the source schema; a partitioned table.
SELECT * FROM scrub_to_schema('{"child": ["id", "parent_id", "parent_region", "country"],
                                "events": ["at", "parent_id", "parent_region"]}', source_schema => 'fk');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"child": ["id", "parent_id"], "parent": ["id", "region"]}',
                              source_schema => 'fk');
SELECT * FROM scrub_to_schema('{"child": ["id", "parent_id", "parent_region"], "parent": ["id"]}',
                              source_schema => 'fk');
SELECT count(*) AS schemas_created FROM pg_namespace WHERE nspname IN ('scrubbed') OR nspname LIKE 'scrub_build%';

-- Consistent choices copy: keys kept on both sides; NULL keys need nothing.
UPDATE fk.child SET country = NULL;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"child": ["id", "parent_id", "parent_region"], "parent": ["id", "region"],
                         "events": ["at", "parent_id", "parent_region"]}', source_schema => 'fk')
 ORDER BY 1;
UPDATE fk.child SET parent_id = NULL, parent_region = NULL;
SELECT table_name, rows_copied FROM scrub_to_schema('{"child": ["id"]}', source_schema => 'fk');

-- A foreign key declared on a partition alone is checked through its root.
CREATE TABLE fk.tags (id int PRIMARY KEY);
INSERT INTO fk.tags VALUES (1);
CREATE TABLE fk.tagged (kind int, tag_id int) PARTITION BY LIST (kind);
CREATE TABLE fk.tagged_one PARTITION OF fk.tagged FOR VALUES IN (1);
ALTER TABLE fk.tagged_one ADD CONSTRAINT tagged_one_tag_fk FOREIGN KEY (tag_id) REFERENCES fk.tags;
INSERT INTO fk.tagged VALUES (1, 1);
SELECT * FROM scrub_to_schema('{"tagged": ["kind", "tag_id"], "tags": []}', source_schema => 'fk');
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"tagged": ["kind", "tag_id"], "tags": ["id"]}', source_schema => 'fk')
 ORDER BY 1;

SET client_min_messages = warning;
DROP SCHEMA scrubbed, fk, elsewhere CASCADE;
RESET client_min_messages;
