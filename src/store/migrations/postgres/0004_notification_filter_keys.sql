-- Herald schema v4 (PostgreSQL): what receivers' filters match a
-- notification on (SPEC §9), kept beside it so that a claim reads two short
-- columns instead of parsing two snapshots: the vulnerability's namespace
-- and the higher of its Old and New severities.
ALTER TABLE notifications ADD COLUMN namespace TEXT, ADD COLUMN severity TEXT;
-- Rows made before v4 are filled from their snapshots. A snapshot that is
-- not valid JSON (damaged) leaves NULL, which every filter lets through:
-- an extra delivery is better than a lost one. PostgreSQL 15 has no
-- pg_input_is_valid, so a cast that fails is caught here.
CREATE FUNCTION herald_v4_try_jsonb(doc text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN doc::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
WITH parsed AS (
  SELECT id, herald_v4_try_jsonb(old_snapshot) AS o, herald_v4_try_jsonb(new_snapshot) AS n
  FROM notifications WHERE old_snapshot IS NOT NULL OR new_snapshot IS NOT NULL
), fields AS (
  SELECT id,
    CASE WHEN jsonb_typeof(o -> 'namespace') = 'string' THEN o ->> 'namespace' END AS o_ns,
    CASE WHEN jsonb_typeof(n -> 'namespace') = 'string' THEN n ->> 'namespace' END AS n_ns,
    CASE WHEN jsonb_typeof(o -> 'severity') = 'string' THEN o ->> 'severity' END AS o_sev,
    CASE WHEN jsonb_typeof(n -> 'severity') = 'string' THEN n ->> 'severity' END AS n_sev
  FROM parsed
)
-- A severity's position in the list grows with its rank (Clair v1's order);
-- an unknown word is at 0.
UPDATE notifications t SET
  namespace = COALESCE(f.n_ns, f.o_ns),
  severity = CASE
    WHEN f.o_sev IS NOT NULL AND (f.n_sev IS NULL
      OR strpos(',Unknown,Negligible,Low,Medium,High,Critical,Defcon1,', ',' || f.o_sev || ',')
       > strpos(',Unknown,Negligible,Low,Medium,High,Critical,Defcon1,', ',' || f.n_sev || ','))
    THEN f.o_sev ELSE f.n_sev END
FROM fields f WHERE t.id = f.id;
DROP FUNCTION herald_v4_try_jsonb(text);
