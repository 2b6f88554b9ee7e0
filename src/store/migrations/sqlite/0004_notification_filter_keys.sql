-- Herald schema v4 (SQLite): what receivers' filters match a notification
-- on (SPEC §9), kept beside it so that a claim reads two short columns
-- instead of parsing two snapshots: the vulnerability's namespace and the
-- higher of its Old and New severities.
ALTER TABLE notifications ADD COLUMN namespace TEXT;
ALTER TABLE notifications ADD COLUMN severity TEXT;
-- Rows made before v4 are filled from their snapshots. A snapshot that is
-- not valid JSON (damaged) leaves NULL, which every filter lets through:
-- an extra delivery is better than a lost one.
UPDATE notifications SET
  namespace = COALESCE(
    CASE WHEN json_valid(new_snapshot) THEN
      CASE WHEN json_type(new_snapshot, '$.namespace') = 'text'
           THEN json_extract(new_snapshot, '$.namespace') END END,
    CASE WHEN json_valid(old_snapshot) THEN
      CASE WHEN json_type(old_snapshot, '$.namespace') = 'text'
           THEN json_extract(old_snapshot, '$.namespace') END END),
  severity =
    CASE WHEN json_valid(new_snapshot) THEN
      CASE WHEN json_type(new_snapshot, '$.severity') = 'text'
           THEN json_extract(new_snapshot, '$.severity') END END;
-- Old's severity where it ranks higher. A severity's position in this list
-- grows with its rank (Clair v1's order); an unknown word is at 0.
UPDATE notifications SET severity = json_extract(old_snapshot, '$.severity')
WHERE CASE WHEN json_valid(old_snapshot) THEN
        json_type(old_snapshot, '$.severity') = 'text' END
  AND (severity IS NULL
       OR instr(',Unknown,Negligible,Low,Medium,High,Critical,Defcon1,',
                ',' || json_extract(old_snapshot, '$.severity') || ',')
          > instr(',Unknown,Negligible,Low,Medium,High,Critical,Defcon1,',
                  ',' || severity || ','));
