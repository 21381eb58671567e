-- How many records of the entity the run left out (contract breaches), next to its record count.
ALTER TABLE sync_runs ADD COLUMN rejected INTEGER;
