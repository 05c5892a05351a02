-- registration_create (registrations/services.py) as raw SQL, for pgbench: the
-- ceiling that registration-rush is compared with (bench/README.md).
-- :hot is the event's id (pgbench -D hot=...). Each transaction registers a new
-- e-mail address (client id + a random number up to 10^15) and takes a booking
-- code from the sequence bench_pgbench_code, which run.py creates: 'p' and 7
-- lower-case hex digits, never one of the app's codes (upper case, no 0 or 1),
-- so a code never collides and no transaction aborts.
\set r random(1, 1000000000000000)
BEGIN;
SELECT e.*, ed.*
  FROM programme_event e JOIN programme_edition ed ON ed.id = e.edition_id
 WHERE e.id = :hot
   FOR NO KEY UPDATE OF e;
SELECT 1 FROM registrations_registration
 WHERE event_id = :hot AND email = 'pgbench-:client_id-:r@bench.example.org'
   AND status IN ('confirmed', 'waitlisted')
 LIMIT 1;
UPDATE programme_event SET seats_taken = seats_taken + 1, updated_at = now() WHERE id = :hot;
INSERT INTO registrations_registration
       (event_id, name, email, seats, language, status, code,
        created_at, confirmed_at, cancelled_at, cancelled_by, checked_in_at)
VALUES (:hot, 'pgbench :client_id', 'pgbench-:client_id-:r@bench.example.org', 1, 'en', 'confirmed',
        'p' || lpad(to_hex(nextval('bench_pgbench_code')), 7, '0'),
        now(), now(), NULL, '', NULL);
COMMIT;
