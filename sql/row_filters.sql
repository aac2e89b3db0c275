-- Row filters: "rows": {"where": ...} copies the rows it selects, the
-- counts agree, and foreign keys still hold or the run fails naming them.
CREATE SCHEMA rf;
CREATE TABLE rf.accounts (id int PRIMARY KEY, email text, is_test boolean NOT NULL);
CREATE TABLE rf.orders (id int PRIMARY KEY, account_id int REFERENCES rf.accounts,
                        total numeric(8,2), placed date);
CREATE TABLE rf.notes (id int PRIMARY KEY, order_id int REFERENCES rf.orders, body text);
INSERT INTO rf.accounts VALUES (1, 'test1@corp.test', true), (2, 'real@corp.test', false),
                               (3, 'test3@corp.test', true);
INSERT INTO rf.orders VALUES (10, 1, 5.00, '2024-01-01'), (11, 2, 7.00, '2024-02-01'),
                             (12, 3, 9.00, '2024-03-01'), (13, NULL, 1.00, '2024-04-01');
INSERT INTO rf.notes VALUES (100, 10, 'a'), (101, 11, 'b'), (102, NULL, 'c');

-- Keep the test accounts and their orders; the report counts what was copied.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{
    "accounts": {"rows": {"where": "is_test"}, "columns": {"id": "keep", "is_test": "keep"}},
    "orders": {"rows": {"where": "account_id IN (SELECT a.id FROM rf.accounts a WHERE a.is_test) OR account_id IS NULL"},
               "columns": {"id": "keep", "account_id": "keep", "placed": "keep"}},
    "notes": {"rows": "none"}}', source_schema => 'rf')
 ORDER BY 1;
SELECT * FROM scrubbed.accounts ORDER BY id;
SELECT id, account_id, placed FROM scrubbed.orders ORDER BY id;
SELECT table_name, copied, source_rows, copied_rows, row_filter FROM scrubbed._scrub_tables ORDER BY 1;

-- A filter that removes rows other copied rows point at fails the run,
-- naming the constraint, after the copy (the probe reads the scratch
-- tables); nothing is left behind.
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{
    "accounts": {"rows": {"where": "is_test"}, "columns": {"id": "keep"}},
    "orders": {"columns": {"id": "keep", "account_id": "keep"}}}', source_schema => 'rf');
-- Also through a chain: notes point at orders a filter removed.
SELECT * FROM scrub_to_schema('{
    "accounts": ["id"],
    "orders": {"rows": {"where": "placed < ''2024-01-15''"}, "columns": {"id": "keep", "account_id": "keep"}},
    "notes": {"columns": {"id": "keep", "order_id": "keep"}}}', source_schema => 'rf');
-- Unless the referencing table's own filter removes them; NULL keys are exempt.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{
    "accounts": ["id"],
    "orders": {"rows": {"where": "placed < ''2024-01-15''"}, "columns": {"id": "keep", "account_id": "keep"}},
    "notes": {"rows": {"where": "order_id IS NULL OR order_id = 10"},
              "columns": {"id": "keep", "order_id": "keep"}}}', source_schema => 'rf')
 ORDER BY 1;
SELECT * FROM scrubbed.notes ORDER BY id;
-- The check made before copying (a referenced table without rows) sees
-- only the rows the referencing table's filter keeps.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{
    "accounts": {"rows": "none"},
    "orders": {"rows": {"where": "account_id IS NULL"}, "columns": {"id": "keep", "account_id": "keep"}}}',
    source_schema => 'rf')
 ORDER BY 1;
SELECT * FROM scrub_to_schema('{
    "accounts": {"rows": "none"},
    "orders": {"rows": {"where": "account_id = 1"}, "columns": {"id": "keep", "account_id": "keep"}}}',
    source_schema => 'rf');

-- Filters that are not one boolean expression are refused before copying.
SELECT * FROM scrub_to_schema('{"accounts": {"rows": {"where": "id"}}}', source_schema => 'rf');
SELECT * FROM scrub_to_schema('{"accounts": {"rows": {"where": "no_such_column > 1"}}}', source_schema => 'rf');
-- Text that closes and reopens the parentheses but stays one expression
-- is just that expression.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"accounts": {"rows": {"where": "false) OR (id = 2"}}}', source_schema => 'rf');
SELECT * FROM scrub_to_schema('{"accounts": {"rows": {"where": "true); DELETE FROM rf.accounts; SELECT (true"}}}', source_schema => 'rf');
SELECT * FROM scrub_to_schema('{"accounts": {"rows": {"where": "true) UNION SELECT (true"}}}', source_schema => 'rf');
SELECT * FROM scrub_to_schema('{"accounts": {"rows": {"where": "count(*) > 0"}}}', source_schema => 'rf');
SELECT * FROM scrub_to_schema('{"accounts": {"rows": {"where": "true"}, "rows": "none", "extra": 1}}', source_schema => 'rf');
SELECT count(*) AS accounts FROM rf.accounts;

-- The filter runs as the table's owner, not as the caller: a function it
-- calls sees the owner as current_user.
CREATE ROLE rf_owner;
CREATE ROLE rf_runner;
GRANT USAGE, CREATE ON SCHEMA rf TO rf_owner;
CREATE TABLE rf.owned (id int, who text);
INSERT INTO rf.owned VALUES (1, 'rf_owner'), (2, 'rf_runner');
ALTER TABLE rf.owned OWNER TO rf_owner;
GRANT SELECT ON rf.owned TO rf_runner;
GRANT USAGE ON SCHEMA rf TO rf_runner;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO rf_runner', current_database());
END $$;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO rf_runner;
SET ROLE rf_runner;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"owned": {"rows": {"where": "who = current_user"}, "columns": {"id": "keep", "who": "keep"}}}',
                       target_schema => 'rf_copy', source_schema => 'rf');
SELECT * FROM rf_copy.owned;
RESET ROLE;
-- Tables of another owner: the probe after the copy runs as the
-- referencing table's owner, who holds SELECT on the two scratch tables
-- only while it runs.
CREATE TABLE rf.teams (id int PRIMARY KEY, open boolean NOT NULL);
CREATE TABLE rf.members (id int, team_id int REFERENCES rf.teams);
INSERT INTO rf.teams VALUES (1, true), (2, false);
INSERT INTO rf.members VALUES (1, 1), (2, 2), (3, NULL);
ALTER TABLE rf.teams OWNER TO rf_owner;
ALTER TABLE rf.members OWNER TO rf_owner;
GRANT SELECT ON rf.teams, rf.members TO rf_runner;
SET ROLE rf_runner;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"teams": {"rows": {"where": "open"}, "columns": {"id": "keep"}},
                         "members": {"rows": {"where": "team_id IS NULL OR team_id IN (SELECT t.id FROM rf.teams t WHERE t.open)"},
                                     "columns": {"id": "keep", "team_id": "keep"}}}',
                       target_schema => 'rf_copy', source_schema => 'rf')
 ORDER BY 1;
SELECT * FROM rf_copy.members ORDER BY id;
SELECT * FROM scrub_to_schema('{"teams": {"rows": {"where": "open"}, "columns": {"id": "keep"}},
                                "members": {"columns": {"id": "keep", "team_id": "keep"}}}',
                              target_schema => 'rf_copy', source_schema => 'rf');
RESET ROLE;
SELECT has_schema_privilege('rf_owner', 'rf_copy', 'USAGE') AS owner_usage,
       has_table_privilege('rf_owner', 'rf_copy.teams', 'SELECT') AS owner_select_teams,
       has_table_privilege('rf_owner', 'rf_copy.members', 'SELECT') AS owner_select_members;
