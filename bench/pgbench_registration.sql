-- What registration_create (registrations/services.py) sends to PostgreSQL for a
-- confirmed registration, for pgbench: the ceiling of registration-rush. Keep it
-- the same statements as the app's (out/results.json, `queries`). :hot is the
-- event (pgbench -D hot=...). Each transaction registers a new address (client id
-- and a random number) with a booking code from the sequence bench_pgbench_code
-- (run.py makes it): 'p' and lower-case hex, never one of the app's codes.
\set r random(1, 1000000000000000)
BEGIN;
SELECT e.id, e.edition_id, e.starts_at, e.capacity, e.seats_taken, e.max_seats_per_registration,
       e.registration_opens_at, e.registration_closes_at, e.waitlist_enabled, e.waitlist_limit,
       e.status, e.updated_at, ed.is_published
  FROM programme_event e JOIN programme_edition ed ON ed.id = e.edition_id
 WHERE e.id = :hot
   FOR NO KEY UPDATE OF e;
UPDATE programme_event SET seats_taken = seats_taken + 1, updated_at = now() WHERE id = :hot;
INSERT INTO registrations_registration
       (event_id, name, email, seats, language, status, code,
        created_at, confirmed_at, cancelled_at, cancelled_by, checked_in_at,
        anonymised_at, consent_at, notice_version)
VALUES (:hot, 'pgbench :client_id', 'pgbench-:client_id-:r@bench.example.org', 1, 'en', 'confirmed',
        'p' || lpad(to_hex(nextval('bench_pgbench_code')), 7, '0'),
        now(), now(), NULL, '', NULL,
        NULL, now(), '2026-12-03');
COMMIT;
