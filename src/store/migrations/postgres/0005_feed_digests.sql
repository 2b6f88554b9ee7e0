-- Herald schema v5 (PostgreSQL): a digest of the feed entry each
-- vulnerability was last written from, cleared by any other write, so that
-- a re-import of an unchanged feed (SPEC §8) skips reading back the rows it
-- would leave as they are. Rows made before v5 have none: the first
-- re-import compares them in full and records their digests.
ALTER TABLE vulnerabilities ADD COLUMN feed_digest BIGINT;
